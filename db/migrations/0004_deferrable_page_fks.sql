-- The foreign keys a page of synced orders writes through may be checked at commit instead of at
-- each statement: the sync's page transaction defers them (SET CONSTRAINTS ALL DEFERRED), so their
-- checks run while the next page writes, not in the middle of the page-to-page chain of writes.
-- INITIALLY IMMEDIATE: every other write is checked at once, as before. (drizzle's schema cannot
-- declare DEFERRABLE; db/schema.ts notes it where these keys are declared.)
ALTER TABLE "orders" ALTER CONSTRAINT "orders_shop_id_shops_id_fk" DEFERRABLE INITIALLY IMMEDIATE;--> statement-breakpoint
ALTER TABLE "order_line_items" ALTER CONSTRAINT "order_line_items_order_id_orders_id_fk" DEFERRABLE INITIALLY IMMEDIATE;--> statement-breakpoint
ALTER TABLE "order_packages" ALTER CONSTRAINT "order_packages_order_id_orders_id_fk" DEFERRABLE INITIALLY IMMEDIATE;--> statement-breakpoint
ALTER TABLE "order_packages" ALTER CONSTRAINT "order_packages_package_id_packages_id_fk" DEFERRABLE INITIALLY IMMEDIATE;--> statement-breakpoint
ALTER TABLE "packages" ALTER CONSTRAINT "packages_shop_id_shops_id_fk" DEFERRABLE INITIALLY IMMEDIATE;
