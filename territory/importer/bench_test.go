package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
)

// benchFile is n rows of a typical export: Chinese names and addresses,
// coordinates, a few attributes.
func benchFile(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 1))
	var b bytes.Buffer
	b.WriteString(header + "\n")
	for i := range n {
		fmt.Fprintf(&b, "HZ-%06d,杭州第%d号科技有限公司,浙江省杭州市西湖区文三路%d号,%.6f,%.6f,软件和信息技术服务业,小型,未知,否\n",
			i, i, 1+rng.IntN(500), 120.1+rng.Float64()*0.1, 30.2+rng.Float64()*0.1)
	}
	return b.Bytes()
}

var sinkRecords int

// BenchmarkReadCSV is the CSV reader alone; BenchmarkReadCSVStd the
// standard library's, for comparison.
func BenchmarkReadCSV(b *testing.B) {
	data := benchFile(10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cr := newCSVReader(bufio.NewReaderSize(bytes.NewReader(data), 64<<10), ',', DefaultMaxCellBytes)
		n := 0
		for {
			_, err := cr.Read()
			if err == io.EOF {
				break
			}
			n++
		}
		sinkRecords = n
	}
}

func BenchmarkReadCSVStd(b *testing.B) {
	data := benchFile(10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		r := csv.NewReader(bytes.NewReader(data))
		for {
			if _, err := r.Read(); err != nil {
				break
			}
			n++
		}
		sinkRecords = n
	}
}

// BenchmarkImport is a whole import into the in-memory store: reading,
// checking, the H3 cell (cgo) and the grid, without geocoding.
func BenchmarkImport(b *testing.B) {
	data := benchFile(10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Import(context.Background(), newMemStore(), bytes.NewReader(data), Options{Locator: boxLocator{}})
		if err != nil || res.Inserted != 10_000 {
			b.Fatal(err, res.Rejects[:min(3, len(res.Rejects))])
		}
	}
	b.ReportMetric(float64(10_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
