// iconv-lite: encoding and decoding legacy code pages, UTF-16 with BOM, and streaming decode.
const iconv = require('iconv-lite');

const hex = (b) => Buffer.from(b).toString('hex');
console.log(hex(iconv.encode('Привет', 'win1251')), iconv.decode(Buffer.from('cff0e8e2e5f2', 'hex'), 'win1251'));
console.log(hex(iconv.encode('日本語', 'shift_jis')), iconv.decode(iconv.encode('日本語', 'euc-jp'), 'euc-jp'));
console.log(hex(iconv.encode('hé', 'utf16', { addBOM: true })), iconv.decode(Buffer.from('fffe6800e900', 'hex'), 'utf16'));
console.log(iconv.encodingExists('latin1'), iconv.encodingExists('nope'), iconv.decode(Buffer.from([0xe9, 0xe8]), 'latin1'));
const decoder = iconv.getDecoder('utf8');
console.log(decoder.write(Buffer.from([0xe2, 0x82])) + decoder.write(Buffer.from([0xac])) + decoder.end());
