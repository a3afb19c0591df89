ALTER TABLE "shops" ADD COLUMN "history_before" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "imported_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "outbox_post_ref_idx" ON "outbox" USING btree ("ref_key","channel_id") WHERE kind = 'post' and ref_key is not null;--> statement-breakpoint
-- shops synced before this change: their orders are all in; only orders first seen from now on count
UPDATE "shops" SET "history_before" = "created_at", "imported_at" = now() WHERE EXISTS (SELECT 1 FROM "sync_state" s WHERE s."shop_id" = "shops"."id" AND s."kind" = 'orders' AND s."last_ok_at" IS NOT NULL);
