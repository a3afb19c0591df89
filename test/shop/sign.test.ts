import { describe, expect, it } from 'vitest'
import { signRequest, verifyWebhookSignature, webhookSignature } from '../../src/shop/tiktok/sign.js'

describe('request signing (reference §1.3)', () => {
  it('V1: the official worked example', () => {
    const sign = signRequest({
      appSecret: 'e59af819cc',
      path: '/authorization/202309/shops',
      query: { app_key: '29a39d', timestamp: '1623812664' },
    })
    expect(sign).toBe('b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8')
  })

  it('V1 again: sign and access_token in the query are left out, key order does not matter', () => {
    const sign = signRequest({
      appSecret: 'e59af819cc',
      path: '/authorization/202309/shops',
      query: { timestamp: '1623812664', sign: 'whatever', access_token: 'TTP_x', app_key: '29a39d' },
    })
    expect(sign).toBe('b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8')
  })

  it('V2: the EcomPHP test vector', () => {
    expect(signRequest({ appSecret: 'app_secret', path: '/test-api', query: { foo: 'bar' } })).toBe(
      'd3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f',
    )
  })

  it('V3: a POST body is signed byte for byte', () => {
    const input = {
      appSecret: 'e59af819cc',
      path: '/event/202309/webhooks',
      query: { app_key: '68xu9ks5p4i8', shop_cipher: 'ROW_xkMbgAAAeVAQra0eZWebFQq5aIK', timestamp: '1696909648' },
      body: '{"address":"https://partner.tiktokshop.com","event_type":"PACKAGE_UPDATE"}',
    }
    expect(signRequest(input)).toBe('cd0d6268252f4ba293bf7ea4c0a2873bf9beec600d22530638564ab301435f7a')
    expect(signRequest({ ...input, body: Buffer.from(input.body) })).toBe('cd0d6268252f4ba293bf7ea4c0a2873bf9beec600d22530638564ab301435f7a')
    // one extra space in the body is a different signature
    expect(signRequest({ ...input, body: input.body.replace(':', ': ') })).not.toBe('cd0d6268252f4ba293bf7ea4c0a2873bf9beec600d22530638564ab301435f7a')
    // multipart bodies are not signed
    expect(signRequest({ ...input, multipart: true })).toBe(signRequest({ ...input, body: undefined }))
  })
})

describe('webhook signature (reference §5.1)', () => {
  const W1 = {
    key: 'abcdef',
    secret: '123',
    body: '{"type":1,"tts_notification_id":"7380066284010030890","shop_id":"7495540735365777507","timestamp":1718305585,"data":{"is_on_hold_order":true,"order_id":"576653688135258178","order_status":"UNPAID","update_time":1718305585}}',
    sig: '5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05',
  }
  const W2 = {
    key: 'fake_app_key',
    secret: 'fake_app_secret',
    body: '{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"order_id":"576684019603311365","order_status":"AWAITING_SHIPMENT","update_time":1664095610}}',
    sig: '21109834de72ec53c9959716d8514ae388ce1f123e5ffdcafc46713fcdf62b27',
  }

  it.each([
    ['W1', W1],
    ['W2', W2],
  ])('%s: computes and verifies the vector', (_name, w) => {
    expect(webhookSignature(w.key, w.secret, w.body)).toBe(w.sig)
    expect(verifyWebhookSignature(w.key, w.secret, w.body, w.sig)).toBe(true)
    expect(verifyWebhookSignature(w.key, w.secret, Buffer.from(w.body), w.sig.toUpperCase())).toBe(true)
  })

  it('rejects a wrong, missing, malformed or reused signature', () => {
    expect(verifyWebhookSignature(W1.key, W1.secret, W1.body, W2.sig)).toBe(false)
    expect(verifyWebhookSignature(W1.key, W1.secret, W1.body + ' ', W1.sig)).toBe(false)
    expect(verifyWebhookSignature(W1.key, 'other', W1.body, W1.sig)).toBe(false)
    expect(verifyWebhookSignature(W1.key, W1.secret, W1.body, undefined)).toBe(false)
    expect(verifyWebhookSignature(W1.key, W1.secret, W1.body, '')).toBe(false)
    expect(verifyWebhookSignature(W1.key, W1.secret, W1.body, 'Bearer ' + W1.sig)).toBe(false)
    expect(verifyWebhookSignature(W1.key, W1.secret, W1.body, W1.sig.slice(0, 62))).toBe(false)
  })
})
