CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"actor_name" text DEFAULT '' NOT NULL,
	"channel_id" integer,
	"action" text NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cancellations" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_id" text NOT NULL,
	"order_id" text NOT NULL,
	"cancel_type" text DEFAULT '' NOT NULL,
	"platform_status" text DEFAULT '' NOT NULL,
	"role" text DEFAULT '' NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"reason_text" text DEFAULT '' NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"respond_by" timestamp with time zone,
	"state" text DEFAULT 'pending' NOT NULL,
	"claimed_by" text,
	"claimed_at" timestamp with time zone,
	"decision" text,
	"decided_by" text,
	"decided_by_name" text,
	"decided_at" timestamp with time zone,
	"reject_reason" text,
	"reject_comment" text,
	"platform_update_time" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_members" (
	"channel_id" integer NOT NULL,
	"user_key" text NOT NULL,
	"display_name" text DEFAULT '' NOT NULL,
	"role" text NOT NULL,
	"granted_by" text NOT NULL,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_members_channel_id_user_key_pk" PRIMARY KEY("channel_id","user_key")
);
--> statement-breakpoint
CREATE TABLE "channel_shops" (
	"channel_id" integer NOT NULL,
	"shop_id" text NOT NULL,
	"linked_by" text NOT NULL,
	"linked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_shops_channel_id_shop_id_pk" PRIMARY KEY("channel_id","shop_id")
);
--> statement-breakpoint
CREATE TABLE "channels" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"external_id" text NOT NULL,
	"title" text DEFAULT '' NOT NULL,
	"locale" text DEFAULT 'en' NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"warn_thresholds_minutes" jsonb DEFAULT '[720,120,0]'::jsonb NOT NULL,
	"digest_threshold" integer DEFAULT 5 NOT NULL,
	"upload_limit_bytes" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_messages" (
	"channel_id" integer NOT NULL,
	"ref_key" text NOT NULL,
	"platform_message_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chat_messages_channel_id_ref_key_pk" PRIMARY KEY("channel_id","ref_key")
);
--> statement-breakpoint
CREATE TABLE "deadline_warnings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel_id" integer NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"step" text NOT NULL,
	"deadline_at" timestamp with time zone NOT NULL,
	"threshold_minutes" integer NOT NULL,
	"outbox_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"name" text PRIMARY KEY NOT NULL,
	"last_run_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "link_codes" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"shop_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by_channel_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_line_items" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"sku_id" text NOT NULL,
	"seller_sku" text DEFAULT '' NOT NULL,
	"product_id" text DEFAULT '' NOT NULL,
	"product_name" text DEFAULT '' NOT NULL,
	"sku_name" text DEFAULT '' NOT NULL,
	"sku_image" text DEFAULT '' NOT NULL,
	"currency" text DEFAULT '' NOT NULL,
	"sale_price" numeric,
	"original_price" numeric,
	"seller_discount" numeric,
	"platform_discount" numeric,
	"display_status" text DEFAULT '' NOT NULL,
	"package_id" text,
	"package_status" text DEFAULT '' NOT NULL,
	"tracking_number" text DEFAULT '' NOT NULL,
	"shipping_provider_name" text DEFAULT '' NOT NULL,
	"rts_time" timestamp with time zone,
	"is_gift" boolean DEFAULT false NOT NULL,
	"cancel_reason" text DEFAULT '' NOT NULL,
	"cancel_user" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_packages" (
	"order_id" text NOT NULL,
	"package_id" text NOT NULL,
	CONSTRAINT "order_packages_order_id_package_id_pk" PRIMARY KEY("order_id","package_id")
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_id" text NOT NULL,
	"platform_status" text NOT NULL,
	"status" text NOT NULL,
	"is_on_hold" boolean DEFAULT false NOT NULL,
	"is_buyer_request_cancel" boolean DEFAULT false NOT NULL,
	"buyer_user_id" text,
	"buyer_message" text DEFAULT '' NOT NULL,
	"seller_note" text DEFAULT '' NOT NULL,
	"order_type" text DEFAULT '' NOT NULL,
	"payment_method_name" text DEFAULT '' NOT NULL,
	"currency" text DEFAULT '' NOT NULL,
	"sub_total" numeric,
	"shipping_fee" numeric,
	"seller_discount" numeric,
	"platform_discount" numeric,
	"total_amount" numeric,
	"original_total_product_price" numeric,
	"original_shipping_fee" numeric,
	"shipping_fee_seller_discount" numeric,
	"shipping_fee_platform_discount" numeric,
	"tax" numeric,
	"retail_delivery_fee" numeric,
	"create_time" timestamp with time zone NOT NULL,
	"paid_time" timestamp with time zone,
	"update_time" timestamp with time zone NOT NULL,
	"rts_time" timestamp with time zone,
	"collection_time" timestamp with time zone,
	"delivery_time" timestamp with time zone,
	"cancel_time" timestamp with time zone,
	"request_cancel_time" timestamp with time zone,
	"rts_sla_time" timestamp with time zone,
	"tts_sla_time" timestamp with time zone,
	"shipping_due_time" timestamp with time zone,
	"collection_due_time" timestamp with time zone,
	"delivery_due_time" timestamp with time zone,
	"pack_by_at" timestamp with time zone,
	"handover_by_at" timestamp with time zone,
	"cancel_reason" text DEFAULT '' NOT NULL,
	"cancellation_initiator" text DEFAULT '' NOT NULL,
	"fulfillment_type" text DEFAULT '' NOT NULL,
	"shipping_type" text DEFAULT '' NOT NULL,
	"delivery_type" text DEFAULT '' NOT NULL,
	"delivery_option_name" text DEFAULT '' NOT NULL,
	"shipping_provider" text DEFAULT '' NOT NULL,
	"tracking_number" text DEFAULT '' NOT NULL,
	"warehouse_id" text DEFAULT '' NOT NULL,
	"recipient_name" text DEFAULT '' NOT NULL,
	"recipient_phone" text DEFAULT '' NOT NULL,
	"recipient_full_address" text DEFAULT '' NOT NULL,
	"recipient_address_detail" text DEFAULT '' NOT NULL,
	"recipient_postal_code" text DEFAULT '' NOT NULL,
	"recipient_region_code" text DEFAULT '' NOT NULL,
	"recipient_levels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"pick_list_printed_at" timestamp with time zone,
	"label_printed_at" timestamp with time zone,
	"packed_at" timestamp with time zone,
	"handed_over_at" timestamp with time zone,
	"stock_check" jsonb,
	"stock_checked_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel_id" integer NOT NULL,
	"dedupe_key" text NOT NULL,
	"kind" text DEFAULT 'post' NOT NULL,
	"ref_key" text,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"platform_message_id" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "packages" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_id" text NOT NULL,
	"status" text DEFAULT '' NOT NULL,
	"tracking_number" text DEFAULT '' NOT NULL,
	"shipping_provider_name" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shop_grants" (
	"shop_id" text NOT NULL,
	"open_id" text NOT NULL,
	CONSTRAINT "shop_grants_shop_id_open_id_pk" PRIMARY KEY("shop_id","open_id")
);
--> statement-breakpoint
CREATE TABLE "shop_tokens" (
	"open_id" text PRIMARY KEY NOT NULL,
	"seller_name" text DEFAULT '' NOT NULL,
	"access_token_enc" text NOT NULL,
	"access_expires_at" timestamp with time zone NOT NULL,
	"refresh_token_enc" text NOT NULL,
	"refresh_expires_at" timestamp with time zone,
	"granted_scopes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shops" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"region" text DEFAULT '' NOT NULL,
	"seller_type" text DEFAULT '' NOT NULL,
	"cipher" text,
	"currency" text DEFAULT 'USD' NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"pack_by_hours" integer DEFAULT 48 NOT NULL,
	"handover_by_hours" integer DEFAULT 72 NOT NULL,
	"cancel_answer_hours" integer DEFAULT 48 NOT NULL,
	"source" text DEFAULT 'tiktok' NOT NULL,
	"authorized" boolean DEFAULT true NOT NULL,
	"deauthorized_at" timestamp with time zone,
	"auth_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock_levels" (
	"shop_id" text NOT NULL,
	"seller_sku" text NOT NULL,
	"on_hand" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text,
	CONSTRAINT "stock_levels_shop_id_seller_sku_pk" PRIMARY KEY("shop_id","seller_sku")
);
--> statement-breakpoint
CREATE TABLE "sync_state" (
	"shop_id" text NOT NULL,
	"kind" text NOT NULL,
	"cursor_time" timestamp with time zone,
	"last_run_at" timestamp with time zone,
	"last_ok_at" timestamp with time zone,
	"last_error" text,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	CONSTRAINT "sync_state_shop_id_kind_pk" PRIMARY KEY("shop_id","kind")
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_key" text NOT NULL,
	"type" integer NOT NULL,
	"shop_id" text DEFAULT '' NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"locked_until" timestamp with time zone,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cancellations" ADD CONSTRAINT "cancellations_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_members" ADD CONSTRAINT "channel_members_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_shops" ADD CONSTRAINT "channel_shops_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_shops" ADD CONSTRAINT "channel_shops_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadline_warnings" ADD CONSTRAINT "deadline_warnings_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_codes" ADD CONSTRAINT "link_codes_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_line_items" ADD CONSTRAINT "order_line_items_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_packages" ADD CONSTRAINT "order_packages_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_packages" ADD CONSTRAINT "order_packages_package_id_packages_id_fk" FOREIGN KEY ("package_id") REFERENCES "public"."packages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "packages" ADD CONSTRAINT "packages_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_grants" ADD CONSTRAINT "shop_grants_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shop_grants" ADD CONSTRAINT "shop_grants_open_id_shop_tokens_open_id_fk" FOREIGN KEY ("open_id") REFERENCES "public"."shop_tokens"("open_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_levels" ADD CONSTRAINT "stock_levels_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_state" ADD CONSTRAINT "sync_state_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_subject_idx" ON "audit_log" USING btree ("subject");--> statement-breakpoint
CREATE INDEX "cancellations_order_idx" ON "cancellations" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "cancellations_pending_idx" ON "cancellations" USING btree ("respond_by") WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX "channel_shops_shop_idx" ON "channel_shops" USING btree ("shop_id");--> statement-breakpoint
CREATE UNIQUE INDEX "channels_platform_external_uq" ON "channels" USING btree ("platform","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deadline_warnings_uq" ON "deadline_warnings" USING btree ("channel_id","subject_type","subject_id","step","deadline_at","threshold_minutes");--> statement-breakpoint
CREATE INDEX "order_line_items_order_idx" ON "order_line_items" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "order_line_items_package_idx" ON "order_line_items" USING btree ("package_id");--> statement-breakpoint
CREATE INDEX "order_packages_package_idx" ON "order_packages" USING btree ("package_id");--> statement-breakpoint
CREATE INDEX "orders_shop_status_idx" ON "orders" USING btree ("shop_id","status");--> statement-breakpoint
CREATE INDEX "orders_shop_create_idx" ON "orders" USING btree ("shop_id","create_time");--> statement-breakpoint
CREATE INDEX "orders_shop_paid_idx" ON "orders" USING btree ("shop_id","paid_time");--> statement-breakpoint
CREATE INDEX "orders_open_pack_idx" ON "orders" USING btree ("pack_by_at") WHERE status = 'awaiting_shipment' and packed_at is null;--> statement-breakpoint
CREATE INDEX "orders_open_handover_idx" ON "orders" USING btree ("handover_by_at") WHERE status in ('awaiting_shipment', 'cancelling') and handed_over_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_dedupe_uq" ON "outbox" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "outbox" USING btree ("channel_id","id") WHERE status in ('pending', 'sending');--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_key_uq" ON "webhook_events" USING btree ("event_key");--> statement-breakpoint
CREATE INDEX "webhook_events_unprocessed_idx" ON "webhook_events" USING btree ("id") WHERE processed_at is null;