// date-fns: arithmetic, comparisons and formatting of fixed dates (runs with TZ=UTC).
const { addDays, differenceInCalendarDays, format, formatISO, parseISO, isWeekend, eachDayOfInterval, formatDistanceStrict, startOfWeek } = require('date-fns');

const d = parseISO('2024-02-28T13:45:00Z');
console.log(format(addDays(d, 2), 'yyyy-MM-dd EEEE'), differenceInCalendarDays(parseISO('2024-12-25'), d));
console.log(formatISO(d, { representation: 'date' }), isWeekend(parseISO('2024-03-02')), format(startOfWeek(d, { weekStartsOn: 1 }), 'MM/dd'));
console.log(eachDayOfInterval({ start: d, end: addDays(d, 3) }).map((x) => format(x, 'd')).join(','));
console.log(formatDistanceStrict(d, addDays(d, 45)), format(d, "do 'of' MMMM yyyy, HH:mm"));
