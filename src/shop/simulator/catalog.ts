/**
 * The simulated shop's goods, buyers and addresses. Product names are bilingual (the sellers are
 * often Chinese cross-border teams); some buyer notes are deliberately hostile so that every
 * adapter's escaping and the CSV formula neutralising get exercised.
 */
export interface SimSku {
  skuId: string
  sellerSku: string
  skuName: string
  /** price in minor units */
  priceMinor: number
  stock: number
}

export interface SimProduct {
  productId: string
  name: string
  skus: SimSku[]
}

export function defaultCatalog(): SimProduct[] {
  const p = (productId: string, name: string, skus: [string, string, string, number, number][]): SimProduct => ({
    productId,
    name,
    skus: skus.map(([skuId, sellerSku, skuName, priceMinor, stock]) => ({ skuId, sellerSku, skuName, priceMinor, stock })),
  })
  return [
    p('1729382910001', 'Silicone phone case 硅胶手机壳', [
      ['1729382910001001', 'CASE-BLK', 'Black', 899, 120],
      ['1729382910001002', 'CASE-PNK', 'Pink 粉色', 899, 80],
    ]),
    p('1729382910002', 'USB-C fast charging cable 快充数据线 1m', [
      ['1729382910002001', 'CABLE-1M', '1 m', 599, 300],
      ['1729382910002002', 'CABLE-2M', '2 m', 799, 150],
    ]),
    p('1729382910003', 'Wireless earbuds 无线蓝牙耳机', [['1729382910003001', 'EARBUD-W', 'White 白色', 2499, 40]]),
    p('1729382910004', 'Ceramic mug "Good morning" 早安陶瓷杯 350ml', [['1729382910004001', 'MUG-350', '350 ml', 1299, 60]]),
    p('1729382910005', 'Linen tote bag 亚麻帆布包', [
      ['1729382910005001', 'TOTE-NAT', 'Natural 原色', 1099, 75],
      ['1729382910005002', 'TOTE-BLU', 'Navy 藏青', 1099, 3],
    ]),
    p('1729382910006', 'LED desk lamp 护眼台灯', [['1729382910006001', 'LAMP-LED', 'Warm white', 3299, 25]]),
    p('1729382910007', 'Hair clip set (6 pcs) 发夹六件套', [['1729382910007001', 'CLIP-6', 'Mixed', 499, 500]]),
    p('1729382910008', 'Stainless steel water bottle 不锈钢保温杯 500ml', [
      ['1729382910008001', 'BOTTLE-SLV', 'Silver 银色', 1599, 50],
      ['1729382910008002', 'BOTTLE-GRN', 'Green 绿色', 1599, 0],
    ]),
  ]
}

export const BUYER_NOTES: readonly string[] = [
  '',
  '',
  '',
  '',
  'Please ship soon, it is a gift 🎁',
  '请尽快发货，谢谢！',
  '<b>URGENT</b> & fragile — handle with care',
  '@everyone look at this order',
  '=cmd|\' /C calc\'!A0',
  '+1 please add a card',
  'No plastic packaging please / 请不要塑料包装',
  '<script>alert(1)</script>',
  '*bold* _italic_ `code` [link](http://example.com)',
  '@here 能开发票吗？',
]

export const BUYER_NAMES: readonly string[] = [
  'Amelia Clarke',
  'Oliver Bennett',
  '王小明',
  'Isla Hughes',
  'Noah Patel',
  'Zoë O\'Connor',
  'Harry Li 李',
  'Sophie Turner',
]

export interface SimAddress {
  line1: string
  city: string
  region: string
  postal: string
}

export const ADDRESSES: readonly SimAddress[] = [
  { line1: '12 Baker Street', city: 'London', region: 'Greater London', postal: 'NW1 6XE' },
  { line1: '3 Deansgate', city: 'Manchester', region: 'Greater Manchester', postal: 'M3 1AZ' },
  { line1: '45 Broad Street', city: 'Birmingham', region: 'West Midlands', postal: 'B1 2HF' },
  { line1: 'Flat 2, 8 Rose Street', city: 'Edinburgh', region: 'Scotland', postal: 'EH2 2PR' },
  { line1: '77 Queen Street', city: 'Cardiff', region: 'Wales', postal: 'CF10 2BH' },
]

export const CARRIERS: readonly { id: string; name: string }[] = [
  { id: '6617675021119438849', name: 'Royal Mail' },
  { id: '6617675021119438850', name: 'Evri' },
  { id: '6617675021119438851', name: 'DPD' },
]
