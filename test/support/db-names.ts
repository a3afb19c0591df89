/** The harness only ever touches databases whose name contains "test". */
export function assertTestDatabaseUrl(url: string): void {
  let name: string
  try {
    name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
  } catch {
    throw new Error(`TEST_DATABASE_URL is not a URL: refusing to run database tests`)
  }
  if (!/test/i.test(name))
    throw new Error(`TEST_DATABASE_URL names database "${name}": its name must contain "test" (the tests create and drop databases)`)
}

export const templateName = (hash: string) => `test_tmpl_${hash}`
