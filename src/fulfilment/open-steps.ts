/**
 * When an order's pack-by and hand-over steps are still open, as SQL over `orders` aliased `o`:
 * the one rule that /late and the history summary count by. A step closes once its mark is set;
 * an order on hold has no step open yet.
 */
import { sql } from 'drizzle-orm'

/** still to pack: awaiting shipment, not marked packed, not on hold */
export const PACK_OPEN = sql.raw(`o.status = 'awaiting_shipment' and o.packed_at is null and not o.is_on_hold`)

/** still to hand over: awaiting shipment or with a buyer request, not handed over, not on hold */
export const HANDOVER_OPEN = sql.raw(`o.status in ('awaiting_shipment', 'cancelling') and o.handed_over_at is null and not o.is_on_hold`)
