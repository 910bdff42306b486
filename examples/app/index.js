// Example app: prints an inventory report (value and weight per warehouse) using five dependencies.
import banner from 'asset-banner';
import { formatMoney } from 'money-esm';
import reportKit from 'report-kit';
import { renderTable } from 'table-format';
import units from 'unit-convert';
import { warehouses } from './data/inventory.js';

function summarize(warehouse) {
  let cents = 0;
  let kg = 0;
  for (const item of warehouse.items) {
    cents += item.count * item.priceCents;
    kg += item.count * units.convert(item.weight, item.unit, 'kg');
  }
  return { name: warehouse.name, items: warehouse.items.length, cents, kg };
}

async function main() {
  const only = process.argv.includes('--warehouse') ? process.argv[process.argv.indexOf('--warehouse') + 1] : null;
  const rows = warehouses.filter((w) => only === null || w.name === only).map(summarize);

  console.log(banner.text());
  const report = reportKit.createReport('Inventory');
  report.section(
    'Warehouses',
    renderTable(
      ['warehouse', 'lines', 'value', 'weight'],
      rows.map((row) => [row.name, String(row.items), formatMoney(row.cents), row.kg.toFixed(1) + ' kg']),
    ),
  );
  const totalCents = rows.reduce((sum, row) => sum + row.cents, 0);
  const totalKg = rows.reduce((sum, row) => sum + row.kg, 0);
  report.section('Totals', [
    'value:  ' + formatMoney(totalCents),
    'weight: ' + totalKg.toFixed(1) + ' kg (' + units.convert(totalKg, 'kg', 'lb').toFixed(1) + ' lb)',
    'units known: ' + units.list().join(', '),
  ]);
  const lineCount = await report.flush();
  console.log('report done: ' + lineCount + ' lines');
}

main();
