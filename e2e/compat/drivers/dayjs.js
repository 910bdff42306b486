// dayjs: parsing and formatting fixed UTC dates with plugins (utc, relativeTime, duration, customParseFormat).
const dayjs = require('dayjs');
dayjs.extend(require('dayjs/plugin/utc'));
dayjs.extend(require('dayjs/plugin/relativeTime'));
dayjs.extend(require('dayjs/plugin/duration'));
dayjs.extend(require('dayjs/plugin/customParseFormat'));
require('dayjs/locale/fr');

const d = dayjs.utc('2024-02-28T13:45:00Z');
console.log(d.format('YYYY-MM-DD HH:mm dddd'), d.add(2, 'day').format('YYYY-MM-DD'), d.endOf('month').date());
console.log(d.from(dayjs.utc('2024-03-30T00:00:00Z')), dayjs.duration(3725, 'seconds').format('HH:mm:ss'));
console.log(dayjs.utc('31/12/2023', 'DD/MM/YYYY').toISOString(), d.locale('fr').format('dddd D MMMM'));
console.log(d.diff(dayjs.utc('2024-01-01'), 'day'), d.isBefore('2025-01-01'), d.valueOf());
