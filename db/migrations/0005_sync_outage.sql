ALTER TABLE "shops" ADD COLUMN "sync_failing_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "sync_outage_told_at" timestamp with time zone;