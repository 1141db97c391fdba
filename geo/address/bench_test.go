package address

import (
	"regexp"
	"testing"
)

var (
	sinkAddr Address
	sinkStr  string
)

var benchAddrs = []string{
	"浙江省杭州市西湖区文三路88号",
	"杭州市滨江区江南大道1203号星光科技园3幢1205室",
	"西湖區 文三路 十二號 3樓",
	"杭州上城区延安路８８号A座12层",
	"Flat 2, 12a Main St., Douglas IM1 2AB, Isle of Man",
	"Unit 24, Gladstone Park Industrial Estate, Ramsey, IM8 2LA",
}

// BenchmarkParse is the parser on typical addresses, Chinese and English.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkAddr = Parse(benchAddrs[i%len(benchAddrs)])
		i++
	}
}

func BenchmarkNormalize(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkStr = Normalize(benchAddrs[i%len(benchAddrs)])
		i++
	}
}

func BenchmarkKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkStr = Key("St John's Rd")
	}
}

// naiveRE is the baseline: one regular expression for the canonical
// Chinese form only (what data/demo's test parser does), with none of the
// normalisation.
var naiveRE = regexp.MustCompile(`^(?:(.+?省))?(?:(.+?市))?(?:(.+?[区县]))?(.+?(?:大道|路|街))(\d+)号(?:(.+?)(\d+)幢(\d+)室)?$`)

var sinkMatch []string

func BenchmarkParseRegexpBaseline(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkMatch = naiveRE.FindStringSubmatch(benchAddrs[1])
	}
}
