/** How a member names one of the chat's shops: by its ID, else by its name in any letter case. */
export function findShop<S extends { id: string; name?: string | null }>(shops: S[], typed: string): S | undefined {
  const v = typed.trim()
  return shops.find((s) => s.id === v) ?? shops.find((s) => (s.name ?? '').trim().toLowerCase() === v.toLowerCase())
}
