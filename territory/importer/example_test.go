package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"gridplan/territory"
	"gridplan/territory/importer"
)

// store is the smallest CustomerImportStore: a map by external id.
type store map[string]*territory.Customer

func (s store) CustomersByExternalIDs(_ context.Context, ids []string) (map[string]*territory.Customer, error) {
	out := map[string]*territory.Customer{}
	for _, id := range ids {
		if c, ok := s[id]; ok {
			out[id] = c
		}
	}
	return out, nil
}

func (s store) UpsertCustomers(_ context.Context, cs []*territory.Customer, _ func(int)) (territory.UpsertResult, error) {
	var r territory.UpsertResult
	for _, c := range cs {
		if _, ok := s[c.ExternalID]; ok {
			r.Unchanged++ // a real store compares the fields
		} else {
			r.Inserted++
		}
		s[c.ExternalID] = c
	}
	return r, nil
}

func ExampleImport() {
	file := "外部编号,名称,经度,纬度\n" +
		"C1,杭州甲科技有限公司,120.16,30.27\n" +
		"C2,杭州乙贸易有限公司,NaN,30.27\n"
	var buf bytes.Buffer
	rejects, _ := importer.NewRejectsWriter(&buf)
	res, err := importer.Import(context.Background(), store{}, strings.NewReader(file), importer.Options{
		CRS:      "gcj02", // coordinates from a Chinese map provider
		OnReject: rejects.Write,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rejects.Flush()
	fmt.Print(strings.TrimPrefix(buf.String(), "\uFEFF")) // the byte-order mark is for Excel
	fmt.Printf("%s %s: %d rows, %d inserted, %d rejected\n", res.Format, res.Encoding, res.Rows, res.Inserted, res.Rejected)
	// Output:
	// line,column,reason,row
	// 3,经度,"longitude ""NaN"" is not a number","C2,杭州乙贸易有限公司,NaN,30.27"
	// csv UTF-8: 2 rows, 1 inserted, 1 rejected
}
