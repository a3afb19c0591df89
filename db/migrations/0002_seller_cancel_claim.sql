ALTER TABLE "orders" ADD COLUMN "seller_cancel_by" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "seller_cancel_by_name" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "seller_cancel_at" timestamp with time zone;