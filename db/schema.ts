/**
 * The whole storage model. One schema for embedded PGlite and for PostgreSQL.
 * Money: `numeric` (exact, read as strings). Platform IDs: text (64-bit numbers).
 * Times: timestamptz. Every external event has a unique key so a repeat changes nothing.
 */
import { sql } from 'drizzle-orm'
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
const money = (name: string) => numeric(name)
const createdAt = () => tz('created_at').notNull().defaultNow()
const updatedAt = () => tz('updated_at').notNull().defaultNow()

/** A TikTok Shop store the assistant works for, with its per-shop deadline settings. */
export const shops = pgTable('shops', {
  id: text('id').primaryKey(), // platform shop id
  name: text('name').notNull(),
  region: text('region').notNull().default(''),
  sellerType: text('seller_type').notNull().default(''), // CROSS_BORDER | LOCAL
  cipher: text('cipher'), // shop_cipher for API calls
  currency: text('currency').notNull().default('USD'),
  timeZone: text('time_zone').notNull().default('UTC'),
  packByHours: integer('pack_by_hours').notNull().default(48),
  handoverByHours: integer('handover_by_hours').notNull().default(72),
  cancelAnswerHours: integer('cancel_answer_hours').notNull().default(48),
  /** 'tiktok' (real API) or 'simulator' */
  source: text('source').notNull().default('tiktok'),
  authorized: boolean('authorized').notNull().default(true),
  deauthorizedAt: tz('deauthorized_at'),
  authExpiresAt: tz('auth_expires_at'),
  /** when the shop's first pull sync began: orders paid before it are its history, imported without a
   * "new order" message each (src/workflow/history.ts) */
  historyBefore: tz('history_before'),
  /** when that first sync completed and the following chats were told what it imported */
  importedAt: tz('imported_at'),
  /** since when every sync of the shop has failed (null: the last one worked); src/shop/sync-outage.ts */
  syncFailingSince: tz('sync_failing_since'),
  /** when the following chats were told that the shop cannot be reached (once per outage) */
  syncOutageToldAt: tz('sync_outage_told_at'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

/** Seller tokens (one grant can cover several shops). Token values are encrypted at rest. */
export const shopTokens = pgTable('shop_tokens', {
  openId: text('open_id').primaryKey(),
  sellerName: text('seller_name').notNull().default(''),
  accessTokenEnc: text('access_token_enc').notNull(),
  accessExpiresAt: tz('access_expires_at').notNull(),
  refreshTokenEnc: text('refresh_token_enc').notNull(),
  refreshExpiresAt: tz('refresh_expires_at'),
  grantedScopes: jsonb('granted_scopes').$type<string[]>().notNull().default([]),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

/** Which token grant serves which shop. */
export const shopGrants = pgTable(
  'shop_grants',
  {
    shopId: text('shop_id').notNull().references(() => shops.id, { onDelete: 'cascade' }),
    openId: text('open_id').notNull().references(() => shopTokens.openId, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.openId] })],
)

/**
 * One row per platform order. `status` is the seller-facing filter status (R5);
 * `platformStatus` keeps the platform's own word.
 */
export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    // DEFERRABLE (migration 0004): the sync's page transaction checks it after its write
    shopId: text('shop_id').notNull().references(() => shops.id),
    platformStatus: text('platform_status').notNull(),
    /** unpaid | awaiting_shipment | shipped | completed | cancelling | cancelled */
    status: text('status').notNull(),
    isOnHold: boolean('is_on_hold').notNull().default(false),
    isBuyerRequestCancel: boolean('is_buyer_request_cancel').notNull().default(false),
    buyerUserId: text('buyer_user_id'),
    buyerMessage: text('buyer_message').notNull().default(''),
    sellerNote: text('seller_note').notNull().default(''),
    orderType: text('order_type').notNull().default(''),
    paymentMethodName: text('payment_method_name').notNull().default(''),
    // payment (exact decimals, in `currency`)
    currency: text('currency').notNull().default(''),
    subTotal: money('sub_total'),
    shippingFee: money('shipping_fee'),
    sellerDiscount: money('seller_discount'),
    platformDiscount: money('platform_discount'),
    totalAmount: money('total_amount'),
    originalTotalProductPrice: money('original_total_product_price'),
    originalShippingFee: money('original_shipping_fee'),
    shippingFeeSellerDiscount: money('shipping_fee_seller_discount'),
    shippingFeePlatformDiscount: money('shipping_fee_platform_discount'),
    tax: money('tax'),
    retailDeliveryFee: money('retail_delivery_fee'),
    // platform times
    createTime: tz('create_time').notNull(),
    paidTime: tz('paid_time'),
    updateTime: tz('update_time').notNull(),
    rtsTime: tz('rts_time'),
    collectionTime: tz('collection_time'),
    deliveryTime: tz('delivery_time'),
    cancelTime: tz('cancel_time'),
    requestCancelTime: tz('request_cancel_time'),
    // platform deadlines
    rtsSlaTime: tz('rts_sla_time'),
    ttsSlaTime: tz('tts_sla_time'),
    shippingDueTime: tz('shipping_due_time'),
    collectionDueTime: tz('collection_due_time'),
    deliveryDueTime: tz('delivery_due_time'),
    // our due times (platform's when present, else shop settings)
    packByAt: tz('pack_by_at'),
    handoverByAt: tz('handover_by_at'),
    // cancellation facts
    cancelReason: text('cancel_reason').notNull().default(''),
    cancellationInitiator: text('cancellation_initiator').notNull().default(''),
    // fulfilment facts
    fulfillmentType: text('fulfillment_type').notNull().default(''),
    shippingType: text('shipping_type').notNull().default(''), // TIKTOK | SELLER
    deliveryType: text('delivery_type').notNull().default(''),
    deliveryOptionName: text('delivery_option_name').notNull().default(''),
    shippingProvider: text('shipping_provider').notNull().default(''),
    trackingNumber: text('tracking_number').notNull().default(''),
    warehouseId: text('warehouse_id').notNull().default(''),
    // recipient (empty while UNPAID / ON_HOLD)
    recipientName: text('recipient_name').notNull().default(''),
    recipientPhone: text('recipient_phone').notNull().default(''),
    recipientFullAddress: text('recipient_full_address').notNull().default(''),
    recipientAddressDetail: text('recipient_address_detail').notNull().default(''),
    recipientPostalCode: text('recipient_postal_code').notNull().default(''),
    recipientRegionCode: text('recipient_region_code').notNull().default(''),
    /** address levels L0..L4 names: country, state/province, city, district, town */
    recipientLevels: jsonb('recipient_levels').$type<string[]>().notNull().default([]),
    // marks for R4 (from commands or the platform's status)
    pickListPrintedAt: tz('pick_list_printed_at'),
    labelPrintedAt: tz('label_printed_at'),
    packedAt: tz('packed_at'),
    handedOverAt: tz('handed_over_at'),
    // stock check result at payment time (R1)
    stockCheck: jsonb('stock_check').$type<unknown>(),
    stockCheckedAt: tz('stock_checked_at'),
    // seller cancellation (R2): who claimed it — one press calls the shop; kept after it is done
    sellerCancelBy: text('seller_cancel_by'),
    sellerCancelByName: text('seller_cancel_by_name'),
    sellerCancelAt: tz('seller_cancel_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('orders_shop_status_idx').on(t.shopId, t.status),
    index('orders_shop_create_idx').on(t.shopId, t.createTime),
    index('orders_shop_paid_idx').on(t.shopId, t.paidTime),
    index('orders_open_pack_idx').on(t.packByAt).where(sql`status = 'awaiting_shipment' and packed_at is null`),
    index('orders_open_handover_idx')
      .on(t.handoverByAt)
      .where(sql`status in ('awaiting_shipment', 'cancelling') and handed_over_at is null`),
  ],
)

/** One row per platform line item: the platform has no quantity field, each unit is its own line. */
export const orderLineItems = pgTable(
  'order_line_items',
  {
    id: text('id').primaryKey(),
    // DEFERRABLE (migration 0004): the sync's page transaction checks it after its write
    orderId: text('order_id').notNull().references(() => orders.id, { onDelete: 'cascade' }),
    skuId: text('sku_id').notNull(),
    sellerSku: text('seller_sku').notNull().default(''),
    productId: text('product_id').notNull().default(''),
    productName: text('product_name').notNull().default(''),
    skuName: text('sku_name').notNull().default(''),
    skuImage: text('sku_image').notNull().default(''),
    currency: text('currency').notNull().default(''),
    salePrice: money('sale_price'),
    originalPrice: money('original_price'),
    sellerDiscount: money('seller_discount'),
    platformDiscount: money('platform_discount'),
    displayStatus: text('display_status').notNull().default(''),
    packageId: text('package_id'),
    packageStatus: text('package_status').notNull().default(''),
    trackingNumber: text('tracking_number').notNull().default(''),
    shippingProviderName: text('shipping_provider_name').notNull().default(''),
    rtsTime: tz('rts_time'),
    isGift: boolean('is_gift').notNull().default(false),
    cancelReason: text('cancel_reason').notNull().default(''),
    cancelUser: text('cancel_user').notNull().default(''),
  },
  (t) => [index('order_line_items_order_idx').on(t.orderId), index('order_line_items_package_idx').on(t.packageId)],
)

/** Packages (one package may hold several orders when the platform combines them). */
export const packages = pgTable('packages', {
  id: text('id').primaryKey(),
  // DEFERRABLE (migration 0004): the sync's page transaction checks it after its write
  shopId: text('shop_id').notNull().references(() => shops.id),
  status: text('status').notNull().default(''),
  trackingNumber: text('tracking_number').notNull().default(''),
  shippingProviderName: text('shipping_provider_name').notNull().default(''),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

export const orderPackages = pgTable(
  'order_packages',
  {
    // both DEFERRABLE (migration 0004): the sync's page transaction checks them after its write
    orderId: text('order_id').notNull().references(() => orders.id, { onDelete: 'cascade' }),
    packageId: text('package_id').notNull().references(() => packages.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.packageId] }), index('order_packages_package_idx').on(t.packageId)],
)

/**
 * Cancellation requests and seller cancellations. `state` is ours:
 * pending | deciding | accepted | rejected | expired | withdrawn | completed.
 * `deciding` is the database claim that makes one decision per request.
 */
export const cancellations = pgTable(
  'cancellations',
  {
    id: text('id').primaryKey(), // platform cancel_id
    shopId: text('shop_id').notNull().references(() => shops.id),
    orderId: text('order_id').notNull(),
    cancelType: text('cancel_type').notNull().default(''), // BUYER_CANCEL | CANCEL | unknown
    platformStatus: text('platform_status').notNull().default(''),
    role: text('role').notNull().default(''), // BUYER | SELLER | SYSTEM
    reason: text('reason').notNull().default(''),
    reasonText: text('reason_text').notNull().default(''),
    requestedAt: tz('requested_at').notNull(),
    respondBy: tz('respond_by'),
    state: text('state').notNull().default('pending'),
    claimedBy: text('claimed_by'),
    claimedAt: tz('claimed_at'),
    decision: text('decision'), // accept | reject
    decidedBy: text('decided_by'), // actor key, e.g. telegram:12345
    decidedByName: text('decided_by_name'),
    decidedAt: tz('decided_at'),
    rejectReason: text('reject_reason'),
    rejectComment: text('reject_comment'),
    platformUpdateTime: tz('platform_update_time'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('cancellations_order_idx').on(t.orderId),
    index('cancellations_pending_idx').on(t.respondBy).where(sql`state = 'pending'`),
  ],
)

/** Stock on hand per shop and seller SKU (R1). Available = on hand − units reserved by paid, unshipped orders. */
export const stockLevels = pgTable(
  'stock_levels',
  {
    shopId: text('shop_id').notNull().references(() => shops.id),
    sellerSku: text('seller_sku').notNull(),
    onHand: integer('on_hand').notNull(),
    updatedAt: updatedAt(),
    updatedBy: text('updated_by'),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.sellerSku] })],
)

/** A chat place the bot posts to: a Discord channel, a Telegram group (or forum topic), the console. */
export const channels = pgTable(
  'channels',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    platform: text('platform').notNull(), // discord | telegram | console
    externalId: text('external_id').notNull(), // chat id, or chat id + ':' + thread id
    title: text('title').notNull().default(''),
    locale: text('locale').notNull().default('en'), // en | zh-CN
    timeZone: text('time_zone').notNull().default('UTC'),
    /** warning thresholds in minutes before a deadline; 0 = overdue */
    warnThresholdsMinutes: jsonb('warn_thresholds_minutes').$type<number[]>().notNull().default([720, 120, 0]),
    digestThreshold: integer('digest_threshold').notNull().default(5),
    /** the platform's limit for uploads in bytes, when it told us */
    uploadLimitBytes: integer('upload_limit_bytes'),
    /** the daily summary's local time, HH:MM in the channel's zone (null: none); src/fulfilment/daily-summary.ts */
    dailySummaryAt: text('daily_summary_at'),
    /** the local day (YYYY-MM-DD) whose summary was sent: one a day */
    dailySummarySentOn: text('daily_summary_sent_on'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('channels_platform_external_uq').on(t.platform, t.externalId)],
)

export const channelShops = pgTable(
  'channel_shops',
  {
    channelId: integer('channel_id').notNull().references(() => channels.id, { onDelete: 'cascade' }),
    shopId: text('shop_id').notNull().references(() => shops.id, { onDelete: 'cascade' }),
    linkedBy: text('linked_by').notNull(),
    linkedAt: tz('linked_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.shopId] }), index('channel_shops_shop_idx').on(t.shopId)],
)

/** Roles per channel: admin | operator | viewer. `userKey` is the platform user id. */
export const channelMembers = pgTable(
  'channel_members',
  {
    channelId: integer('channel_id').notNull().references(() => channels.id, { onDelete: 'cascade' }),
    userKey: text('user_key').notNull(),
    displayName: text('display_name').notNull().default(''),
    role: text('role').notNull(),
    grantedBy: text('granted_by').notNull(),
    grantedAt: tz('granted_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userKey] })],
)

/** One-time link codes printed by the CLI for a shop: single use, short-lived. Stored hashed. */
export const linkCodes = pgTable('link_codes', {
  codeHash: text('code_hash').primaryKey(),
  shopId: text('shop_id').notNull().references(() => shops.id, { onDelete: 'cascade' }),
  expiresAt: tz('expires_at').notNull(),
  usedAt: tz('used_at'),
  usedByChannelId: integer('used_by_channel_id'),
  createdAt: createdAt(),
})

/**
 * The stored outbox: every chat message goes through here, written in the same transaction as the
 * change that caused it. `dedupeKey` makes "post once" a database constraint.
 * kind: post | edit | document. status: pending | sending | sent | failed (gave up).
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channelId: integer('channel_id').notNull().references(() => channels.id, { onDelete: 'cascade' }),
    dedupeKey: text('dedupe_key').notNull(),
    kind: text('kind').notNull().default('post'),
    /** key of the logical message, so a later edit finds the platform message (e.g. cancel:123) */
    refKey: text('ref_key'),
    payload: jsonb('payload').$type<unknown>().notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tz('next_attempt_at').notNull().defaultNow(),
    lockedUntil: tz('locked_until'),
    lastError: text('last_error'),
    platformMessageId: text('platform_message_id'),
    sentAt: tz('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('outbox_dedupe_uq').on(t.dedupeKey),
    index('outbox_due_idx').on(t.channelId, t.id).where(sql`status in ('pending', 'sending')`),
    /** which channels were sent a message, for its edits */
    index('outbox_post_ref_idx').on(t.refKey, t.channelId).where(sql`kind = 'post' and ref_key is not null`),
  ],
)

/** Platform message ids of posted logical messages, so edits find them. */
export const chatMessages = pgTable(
  'chat_messages',
  {
    channelId: integer('channel_id').notNull().references(() => channels.id, { onDelete: 'cascade' }),
    refKey: text('ref_key').notNull(),
    platformMessageId: text('platform_message_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.refKey] })],
)

/** One row per deadline warning ever raised: (subject, deadline, threshold, channel) is unique. */
export const deadlineWarnings = pgTable(
  'deadline_warnings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channelId: integer('channel_id').notNull().references(() => channels.id, { onDelete: 'cascade' }),
    subjectType: text('subject_type').notNull(), // order | cancellation
    subjectId: text('subject_id').notNull(),
    step: text('step').notNull(), // pack_by | handover_by | answer_by
    deadlineAt: tz('deadline_at').notNull(),
    thresholdMinutes: integer('threshold_minutes').notNull(),
    outboxId: integer('outbox_id'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('deadline_warnings_uq').on(
      t.channelId,
      t.subjectType,
      t.subjectId,
      t.step,
      t.deadlineAt,
      t.thresholdMinutes,
    ),
  ],
)

/** Who did what, written in the caller's transaction. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: tz('at').notNull().defaultNow(),
    actor: text('actor').notNull(), // e.g. telegram:123, discord:456, cli, system
    actorName: text('actor_name').notNull().default(''),
    channelId: integer('channel_id'),
    action: text('action').notNull(),
    subject: text('subject').notNull().default(''),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_subject_idx').on(t.subject)],
)

/** Inbound webhook events, stored before processing; `eventKey` makes a repeat a no-op. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    eventKey: text('event_key').notNull(),
    type: integer('type').notNull(),
    shopId: text('shop_id').notNull().default(''),
    payload: jsonb('payload').$type<unknown>().notNull(),
    receivedAt: tz('received_at').notNull().defaultNow(),
    processedAt: tz('processed_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** a worker holds the event until then (crash-safe claim) */
    lockedUntil: tz('locked_until'),
    /** retry back-off after a failed attempt */
    nextAttemptAt: tz('next_attempt_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_events_key_uq').on(t.eventKey),
    index('webhook_events_unprocessed_idx').on(t.id).where(sql`processed_at is null`),
    /** a shop's latest event (/status) */
    index('webhook_events_shop_received_idx').on(t.shopId, t.receivedAt),
  ],
)

/** Where each sync left off, per shop and kind (orders | cancellations). */
export const syncState = pgTable(
  'sync_state',
  {
    shopId: text('shop_id').notNull().references(() => shops.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    cursorTime: tz('cursor_time'),
    lastRunAt: tz('last_run_at'),
    lastOkAt: tz('last_ok_at'),
    lastError: text('last_error'),
    /** one sync per shop and kind at a time, across instances: a lease held by `leaseOwner` until `leaseUntil` */
    leaseOwner: text('lease_owner'),
    leaseUntil: tz('lease_until'),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.kind] })],
)

/** Where each periodic job left off (e.g. the deadline scan's watermark), shared by every instance. */
export const jobRuns = pgTable('job_runs', {
  name: text('name').primaryKey(),
  lastRunAt: tz('last_run_at').notNull(),
  updatedAt: updatedAt(),
})
