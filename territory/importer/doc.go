// Package importer reads customers from CSV and XLSX files and upserts them
// into the store by external id: the first step of gridplan's data flow
// (import → geocode → H3 cell → grid).
//
// A file is streamed. Its format is told by its first bytes (a zip is
// XLSX); a CSV file's encoding by its bytes: a byte-order mark decides,
// otherwise valid UTF-8 is UTF-8 and anything else GB18030 (the superset of
// GBK that Chinese Excel writes), and bytes that are neither, or binary
// data, refuse the file. Columns are found by their headers, in English or
// Chinese (名称/客户名称, 地址, 经度, 纬度 …), or by a column map.
// Coordinates may come in WGS-84, GCJ-02 or BD-09 and are stored as
// WGS-84; rows without them are geocoded. Each customer gets its H3 cell
// and its grid, and batches of a few thousand are merged with what is
// stored and upserted, so importing the same file twice changes nothing.
//
// Every bad row is rejected with its line, column and reason, and the rows
// around it are imported all the same; see Import.
package importer
