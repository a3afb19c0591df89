/**
 * Shop tokens at rest: AES-256-GCM with a key derived from SECRET_KEY by scrypt. Each value is bound
 * to where it is stored (associated data such as "shop_tokens:<open_id>:access"), so a ciphertext copied
 * into another row does not decrypt. Format: "v1:" + base64url(iv[12] | tag[16] | ciphertext).
 *
 * With no SECRET_KEY (the simulator demo only; config requires it with a real TikTok app) a random key is
 * kept in DATA_DIR/secret.key, readable by the owner only.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { AppError } from '../shared/errors.js'

const SALT = 'tts-assistant/shop-tokens/v1'
const PREFIX = 'v1:'

export interface TokenCipher {
  encrypt(plain: string, context: string): string
  decrypt(sealed: string, context: string): string
}

export function tokenCipher(secretKey: string): TokenCipher {
  if (!secretKey || secretKey.length < 16) throw new AppError('config', 'SECRET_KEY must be at least 16 characters')
  const key = scryptSync(secretKey, SALT, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })
  return {
    encrypt(plain, context) {
      const iv = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', key, iv)
      c.setAAD(Buffer.from(context, 'utf8'))
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
      return PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url')
    },
    decrypt(sealed, context) {
      if (!sealed.startsWith(PREFIX)) throw new AppError('config', 'a stored shop token is in an unknown format')
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url')
      if (raw.length < 28) throw new AppError('config', 'a stored shop token is damaged')
      try {
        const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
        d.setAAD(Buffer.from(context, 'utf8'))
        d.setAuthTag(raw.subarray(12, 28))
        return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')
      } catch {
        throw new AppError('config', 'a stored shop token cannot be decrypted: SECRET_KEY is not the one it was stored with (connect the shop again, or restore the old SECRET_KEY)')
      }
    },
  }
}

/** The demo's key when SECRET_KEY is not set: DATA_DIR/secret.key, created once (mode 0600). */
export function localSecretKey(dataDir: string): string {
  const file = join(resolve(dataDir), 'secret.key')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(resolve(dataDir), { recursive: true })
  const key = randomBytes(32).toString('base64url')
  try {
    writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' })
    return key
  } catch {
    return readFileSync(file, 'utf8').trim() // another process created it first
  }
}

/** The cipher for this configuration: SECRET_KEY, else (no TikTok app configured) the local demo key. */
export function tokenCipherFor(config: { secretKey?: string; tiktok?: unknown; database: { dataDir: string } }): TokenCipher {
  if (config.secretKey) return tokenCipher(config.secretKey)
  if (config.tiktok) throw new AppError('config', 'SECRET_KEY is required when TIKTOK_APP_KEY is set (it encrypts shop tokens at rest)')
  return tokenCipher(localSecretKey(config.database.dataDir))
}

/** The installation's secret for signing things such as the OAuth state: SECRET_KEY, else the local demo key. */
export function installationSecret(config: { secretKey?: string; database: { dataDir: string } }): string {
  return config.secretKey ?? localSecretKey(config.database.dataDir)
}
