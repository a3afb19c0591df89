ALTER TABLE "channels" ADD COLUMN "daily_summary_at" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "daily_summary_sent_on" text;