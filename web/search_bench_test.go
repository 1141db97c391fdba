package web

import (
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"gridplan/territory"
)

// benchNames is an index of 1,000,000 synthetic business names shaped like
// the demo city's (杭州泽明餐饮有限公司, 怡鼎面馆 …), seed 1.
var benchNames = sync.OnceValue(func() *nameIndex {
	rng := rand.New(rand.NewPCG(1, 1))
	syll := []rune("科怡泽明维海云和聚鼎航博晟腾恒达林锐迅联创嘉泰华信诚安康美新")
	trades := []string{"餐饮有限公司", "科技有限公司", "商贸有限公司", "物业管理有限公司", "面馆", "超市", "水果店", "洗车店", "小吃店", "便利店"}
	x := &nameIndex{}
	batch := make([]*territory.Customer, 0, 10000)
	for i := range 1_000_000 {
		var b strings.Builder
		if rng.IntN(2) == 0 {
			b.WriteString("杭州")
		}
		b.WriteRune(syll[rng.IntN(len(syll))])
		b.WriteRune(syll[rng.IntN(len(syll))])
		b.WriteString(trades[rng.IntN(len(trades))])
		batch = append(batch, &territory.Customer{ID: int64(i + 1), Name: b.String()})
		if len(batch) == cap(batch) {
			if err := x.add(batch); err != nil {
				panic(err)
			}
			batch = batch[:0]
		}
	}
	return x
})

var benchSink []ranked

func benchQuery(s string) *searchQuery {
	words := strings.Fields(fold(s))
	return &searchQuery{raw: s, whole: strings.Join(words, " "), words: words}
}

// BenchmarkSearchNames: the index against the naive loop (fold each name,
// strings.Contains) on 1,000,000 names; "公司" matches about 40% of them,
// "怡鼎面馆" about 0.1%.
func BenchmarkSearchNames(b *testing.B) {
	x := benchNames()
	names := make([]string, len(x.ids))
	for i := range names {
		end := len(x.text) - 1
		if i+1 < len(x.starts) {
			end = int(x.starts[i+1]) - 1
		}
		names[i] = string(x.text[x.starts[i]:end])
	}
	for _, q := range []string{"公司", "怡鼎面馆", "杭州 超市"} {
		sq := benchQuery(q)
		b.Run("index/"+q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchSink = x.find(sq, DefaultSearchLimit)
			}
		})
		b.Run("naive/"+q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				top := topN{n: DefaultSearchLimit}
				for i, n := range names {
					if c := sq.matchClass(fold(n)); c >= 0 {
						top.offer(ranked{class: c, length: len(n), id: x.ids[i], index: i})
					}
				}
				benchSink = top.items
			}
		})
	}
}
