// Package address normalises and parses postal addresses, Chinese and
// English-style, into their parts, for the geocoder in geo/geocode.
//
// Normalize folds what people vary when they type an address: full-width
// characters to half-width, traditional variants of common address
// characters to simplified (號→号, 區→区, 樓→楼 …), Chinese numerals in
// house, building, floor and room numbers to digits (十二号→12号,
// 一百零八号→108号), Chinese punctuation and spacing. Parse splits the
// result into province 省, city 市, district 区/县, sub-district 街道/镇,
// road 路/街/大道/巷/弄, house number 号, named place (园区, 大厦, 广场 …),
// building 幢/栋/座, unit 单元, floor 层/楼 and room 室; an address with no
// Han characters is read as English-style ("Flat 2, 12 Main St, Douglas,
// IM1 2AB"). Key gives the form names are matched on (case-folded, street
// types spelled out: St → street).
//
// Parsing is grammar-driven and knows no gazetteer: it says what the text
// claims, and the geocoder decides what exists. It allocates one string
// (the normalised address) and takes a few microseconds.
package address
