// cheerio: parse HTML, query, traverse and modify it, then serialize.
import * as cheerio from 'cheerio';

const $ = cheerio.load('<ul id="fruits"><li class="apple">Apple</li><li class="orange">Orange</li><li class="pear">Pear</li></ul><p data-x="1">Hi &amp; bye</p>');
console.log($('li').map((i, el) => $(el).text()).get().join(','));
console.log($('.orange').attr('class'), $('p').data('x'), $('p').text());
$('ul').append('<li class="plum">Plum</li>');
$('.apple').addClass('red').removeClass('apple');
console.log($.html('#fruits'));
console.log($('li').length, $('li').last().prev().text());
const xml = cheerio.load('<root><item id="1"/><item id="2"/></root>', { xml: true });
console.log(xml('item').map((i, el) => xml(el).attr('id')).get().join('+'));
