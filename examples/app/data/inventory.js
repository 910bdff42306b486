// The inventory the report is printed from (prices in cents, weights in the unit given).
export const warehouses = [
  {
    name: 'North Dock',
    items: [
      { sku: 'BOLT-8', count: 1200, priceCents: 12, weight: 6, unit: 'g' },
      { sku: 'PANEL-2', count: 14, priceCents: 8950, weight: 11.5, unit: 'lb' },
    ],
  },
  {
    name: 'South Yard',
    items: [
      { sku: 'BEAM-40', count: 6, priceCents: 45500, weight: 38, unit: 'kg' },
      { sku: 'BOLT-8', count: 300, priceCents: 12, weight: 6, unit: 'g' },
      { sku: 'CABLE-100', count: 22, priceCents: 3125, weight: 2.2, unit: 'lb' },
    ],
  },
];
