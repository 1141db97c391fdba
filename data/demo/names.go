package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// districtName is a real Hangzhou district (or county-level unit) with its
// administrative division code and where it lies from the city centre:
// bearing in degrees (0 east, 90 north) and ring (0 centre, 1 inner, 2
// suburban, 3 outer). Names are used in this order, so a city of eight
// districts gets the first eight.
type districtName struct {
	name    string
	code    string
	bearing float64
	ring    float64
}

var realDistricts = []districtName{
	{"上城区", "330102", 0, 0},
	{"拱墅区", "330105", 90, 1},
	{"西湖区", "330106", 180, 1},
	{"滨江区", "330108", 270, 1},
	{"萧山区", "330109", 315, 1.6},
	{"余杭区", "330110", 135, 2},
	{"临平区", "330113", 45, 2},
	{"钱塘区", "330114", 0, 2},
	{"富阳区", "330111", 225, 2.4},
	{"临安区", "330112", 170, 3},
	{"桐庐县", "330122", 240, 3},
	{"建德市", "330182", 250, 3.5},
	{"淳安县", "330127", 200, 3.5},
}

// townStems are real town and street names of the Hangzhou area; beyond the
// real districts they become plausible district names ("良渚区").
var townStems = strings.Fields(`良渚 塘栖 瓶窑 闲林 仓前 五常 中泰 径山 黄湖 鸬鸟 百丈 转塘 双浦 三墩 蒋村
留下 龙坞 九堡 乔司 星桥 崇贤 运河 东湖 南苑 义蓬 河庄 临江 前进 瓜沥 党山 益农 党湾 衙前 靖江
南阳 新塘 闻堰 义桥 河上 戴村 楼塔 进化 浦阳 所前 新街 宁围 盈丰 北干 城厢 新登 场口 常安 万市
洞桥 胥口 渔山 里山 大源 灵桥 春江 银湖 鹿山 东洲 於潜 昌化 太湖源 天目山 河桥 湍口 清凉峰 岛石
龙岗 高虹 板桥 青山湖 玲珑 锦南 锦北 分水 横村 瑶琳 富春江 江南 凤川 百江 合村 钟山 新合 莪山
梅城 寿昌 乾潭 杨村桥 三都 大同 李家 大慈岩 航头 大洋 钦堂 千岛湖 威坪 汾口 姜家 文昌 石林 临岐
枫树岭 大墅 中洲 里商 金峰 富文 左口 屏门 瑶山 浪川 界首`)

// districtNames returns n district names and codes: the real ones first,
// then "{town}区", then "{town}新区" … All distinct.
func districtNames(n int) []districtName {
	out := make([]districtName, 0, n)
	for _, d := range realDistricts {
		if len(out) == n {
			return out
		}
		out = append(out, d)
	}
	suffixes := []string{"区", "新区", "东区", "西区", "南区", "北区"}
	k := 0
	for _, suf := range suffixes {
		for _, stem := range townStems {
			if len(out) == n {
				return out
			}
			k++
			out = append(out, districtName{name: stem + suf, code: "339" + pad(k, 3), ring: 4})
		}
	}
	for len(out) < n { // beyond ~800 districts: numbered, still distinct
		k++
		out = append(out, districtName{name: "第" + strconv.Itoa(k) + "区", code: "339" + pad(k, 3), ring: 4})
	}
	return out
}

// Real Hangzhou arterials, nearest the centre first, by direction.
var (
	realRoadsEW = strings.Fields(`凤起路 庆春路 体育场路 解放路 天目山路 文三路 西湖大道 文二路 望江路 文一路
江南大道 德胜路 滨盛路 石桥路 江晖路 余杭塘路 文一西路 五常大道 金城路 人民路 江东大道 文化路`)
	realRoadsNS = strings.Fields(`延安路 中河路 中山路 建国路 莫干山路 秋涛路 湖墅南路 东新路 教工路 学院路
上塘路 古墩路 丰潭路 江陵路 紫金港路 长河路 时代大道 市心路 通惠路 之江路 九堡大道 博奥路`)
)

// Characters that make plausible road names when paired.
var (
	roadFirst  = []rune("文天学教古紫丰江滨钱湖新春秋凤龙庆延中建环和平安康宁德兴振华明光金银玉翠杨柳桂梅兰竹松荷云星月阳晨泰富盛昌隆永长万百花溪桃清")
	roadSecond = []rune("山江河湖塘桥港湾苑园庄林溪泉源城门心华兴安宁平和福祥瑞丰业达通盛新明光阳晖景岭浦堤墩")
)

// roadNamer hands out distinct road names: the real ones first (for the
// arterials nearest the centre), then generated ones in a seeded order.
type roadNamer struct {
	used  map[string]bool
	stems []string
	next  int
	rng   *rand.Rand
}

func newRoadNamer(rng *rand.Rand) *roadNamer {
	var stems []string
	for _, a := range roadFirst {
		for _, b := range roadSecond {
			if a != b {
				stems = append(stems, string(a)+string(b))
			}
		}
	}
	rng.Shuffle(len(stems), func(i, j int) { stems[i], stems[j] = stems[j], stems[i] })
	return &roadNamer{used: map[string]bool{}, stems: stems, rng: rng}
}

// take returns name if it is still free, else "".
func (n *roadNamer) take(name string) string {
	if name == "" || n.used[name] {
		return ""
	}
	n.used[name] = true
	return name
}

// generated returns a fresh generated name; major roads get 大道 or 路,
// streets 路 or 街, sometimes with a direction (文晖北路).
func (n *roadNamer) generated(major bool) string {
	dirs := []string{"", "", "", "东", "西", "南", "北", "中"}
	for {
		stem := n.stems[n.next%len(n.stems)]
		round := n.next / len(n.stems)
		n.next++
		suffix := "路"
		switch r := n.rng.Float64(); {
		case major && r < 0.25:
			suffix = "大道"
		case !major && r < 0.3:
			suffix = "街"
		}
		dir := dirs[n.rng.IntN(len(dirs))]
		if round > 0 {
			dir = dirs[3+(round-1)%5] // later rounds must differ from the first
			if round > 5 {
				dir += strconv.Itoa(round)
			}
		}
		if name := n.take(stem + dir + suffix); name != "" {
			return name
		}
	}
}

// Place name parts.
var (
	placeStems = strings.Fields(`西溪 黄龙 武林 钱江 滨江 湖滨 之江 运河 良渚 未来 城西 城东 城北 江南 东部 星光
天堂 金沙 银泰 恒生 华星 创新 智慧 数字 云谷 梦想 海创 湘湖 白马湖 奥体 望江 城星 新天地 钱塘 国际 浙商
东方 信雅达 万向 中兴 天阳 嘉华 中赢 世茂 远洋 绿城 颐高 物联网 高新 启迪 紫金 青山湖 南湖 北塘 和达`)
	parkSuffixes  = []string{"科技园", "创意园", "产业园", "数字经济产业园", "软件园", "智慧园", "创业园", "电商园", "文创园"}
	towerSuffixes = []string{"大厦", "中心", "国际大厦", "商务大厦", "金融中心", "科技大厦", "财富中心", "写字楼"}
	plazaSuffixes = []string{"广场", "商业广场", "时代广场", "国际广场", "购物广场", "中心广场"}
)

// Company name parts. A 字号 (trade name) is two characters of brandChars.
var brandChars = []rune("云帆华泰鑫盛达恒信诚德瑞祥嘉禾博智创锐易优新星辰宏远捷安康美乐悦汇通联天宇海峰林森浩润泽明光晟昊晨启航道和正源丰元合聚尚品享馨怡雅致臻卓越凯迅驰腾飞骏鼎晶维科")

// brand returns a two-character trade name.
func brand(rng *rand.Rand) string {
	a := brandChars[rng.IntN(len(brandChars))]
	b := brandChars[rng.IntN(len(brandChars))]
	for b == a {
		b = brandChars[rng.IntN(len(brandChars))]
	}
	return string(a) + string(b)
}

// industry is a 行业 with name patterns; "%" in a pattern is the trade name.
type industry struct {
	label    string
	patterns []string
}

// Industries of businesses on shopping streets, in office towers and parks,
// and in the background. Weights are per context (see customer.go).
var industries = map[string]industry{
	"餐饮":        {"餐饮", []string{"杭州%餐饮管理有限公司", "杭州%餐饮有限公司", "%面馆", "%小吃店", "%酒家", "%茶餐厅", "%奶茶店"}},
	"零售":        {"零售", []string{"杭州%商贸有限公司", "%便利店", "%超市", "%水果店", "%烟酒商行", "%服饰店"}},
	"住宿":        {"住宿", []string{"杭州%酒店管理有限公司", "%宾馆", "%民宿"}},
	"居民服务":      {"居民服务", []string{"%美容美发店", "%洗衣店", "%家政服务部", "%足浴店"}},
	"汽车服务":      {"汽车服务", []string{"%汽车维修服务部", "杭州%汽车服务有限公司", "%洗车店"}},
	"软件和信息技术服务": {"软件和信息技术服务", []string{"杭州%网络科技有限公司", "杭州%信息技术有限公司", "杭州%软件有限公司", "杭州%数字科技有限公司", "杭州%智能科技有限公司"}},
	"电子商务":      {"电子商务", []string{"杭州%电子商务有限公司", "杭州%电商科技有限公司"}},
	"科技推广和应用服务": {"科技推广和应用服务", []string{"杭州%科技有限公司", "杭州%生物科技有限公司", "杭州%环保科技有限公司"}},
	"商务服务":      {"商务服务", []string{"杭州%企业管理咨询有限公司", "杭州%商务咨询有限公司", "杭州%人力资源有限公司", "杭州%会计服务有限公司"}},
	"法律服务":      {"法律服务", []string{"浙江%律师事务所", "杭州%知识产权代理有限公司"}},
	"金融":        {"金融", []string{"杭州%投资管理有限公司", "杭州%资产管理有限公司", "杭州%保险代理有限公司"}},
	"房地产中介":     {"房地产中介", []string{"杭州%房地产代理有限公司", "%房产中介"}},
	"教育培训":      {"教育培训", []string{"杭州%教育科技有限公司", "%培训学校", "杭州%文化艺术有限公司"}},
	"文化传媒":      {"文化传媒", []string{"杭州%文化传媒有限公司", "杭州%广告有限公司", "杭州%影视有限公司"}},
	"医疗健康":      {"医疗健康", []string{"%诊所", "杭州%医疗器械有限公司", "%大药房", "%口腔门诊部"}},
	"制造":        {"制造", []string{"杭州%机械有限公司", "杭州%电子有限公司", "杭州%服饰有限公司", "杭州%包装材料有限公司", "杭州%精密制造有限公司"}},
	"批发":        {"批发", []string{"杭州%贸易有限公司", "杭州%进出口有限公司", "杭州%供应链管理有限公司"}},
	"物流":        {"物流", []string{"杭州%物流有限公司", "杭州%快递服务有限公司", "杭州%货运代理有限公司"}},
	"建筑装饰":      {"建筑装饰", []string{"杭州%装饰工程有限公司", "杭州%建筑工程有限公司", "杭州%建材有限公司"}},
	"物业管理":      {"物业管理", []string{"杭州%物业管理有限公司", "杭州%物业服务有限公司"}},
}

// weighted is a label with a weight.
type weighted struct {
	label  string
	weight float64
}

// Industry mixes per context.
var (
	streetIndustries = []weighted{{"餐饮", 30}, {"零售", 28}, {"居民服务", 12}, {"住宿", 4}, {"汽车服务", 4},
		{"医疗健康", 5}, {"房地产中介", 5}, {"教育培训", 5}, {"批发", 4}, {"建筑装饰", 3}}
	officeIndustries = []weighted{{"软件和信息技术服务", 18}, {"商务服务", 16}, {"电子商务", 10}, {"科技推广和应用服务", 10},
		{"金融", 8}, {"法律服务", 6}, {"文化传媒", 8}, {"教育培训", 6}, {"房地产中介", 4}, {"批发", 8}, {"餐饮", 6}}
	parkIndustries = []weighted{{"软件和信息技术服务", 26}, {"科技推广和应用服务", 18}, {"电子商务", 14}, {"制造", 12},
		{"文化传媒", 8}, {"商务服务", 8}, {"物流", 6}, {"批发", 4}, {"餐饮", 4}}
	plazaIndustries = []weighted{{"零售", 30}, {"餐饮", 30}, {"教育培训", 10}, {"居民服务", 8}, {"医疗健康", 6},
		{"文化传媒", 4}, {"商务服务", 6}, {"住宿", 6}}
	backgroundIndustries = []weighted{{"零售", 18}, {"餐饮", 16}, {"制造", 12}, {"批发", 9}, {"物流", 8}, {"建筑装饰", 8},
		{"汽车服务", 7}, {"居民服务", 7}, {"科技推广和应用服务", 5}, {"商务服务", 4}, {"医疗健康", 3}, {"住宿", 3}}
)

// pick draws a label from ws by weight.
func pick(rng *rand.Rand, ws []weighted) string {
	var total float64
	for _, w := range ws {
		total += w.weight
	}
	r := rng.Float64() * total
	for _, w := range ws {
		if r < w.weight {
			return w.label
		}
		r -= w.weight
	}
	return ws[len(ws)-1].label
}

// companyName returns a name for a business of industry label.
func companyName(rng *rand.Rand, label string) string {
	ind := industries[label]
	p := ind.patterns[rng.IntN(len(ind.patterns))]
	return strings.Replace(p, "%", brand(rng), 1)
}

// Person name parts: the common surnames (Zhejiang-weighted) and given-name
// characters.
var (
	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈钱俞金汪方陆")
	givenChars = []rune("子浩宇轩欣怡佳俊嘉文博思雨晨一诗梓涵婷杰磊强芳敏静丽伟军勇涛明超霞平刚辉鹏华飞燕琳颖倩斌峰亮建国志海雪丹晓洁")
)

// personName returns a plausible Chinese full name: surname (the first
// few much more often) and one or two given-name characters.
func personName(rng *rand.Rand) string {
	var s rune
	if rng.Float64() < 0.6 {
		s = surnames[rng.IntN(12)]
	} else {
		s = surnames[rng.IntN(len(surnames))]
	}
	name := string(s) + string(givenChars[rng.IntN(len(givenChars))])
	if rng.Float64() < 0.7 {
		name += string(givenChars[rng.IntN(len(givenChars))])
	}
	return name
}

// phone returns a mobile number such as 13912345678.
func phone(rng *rand.Rand) string {
	prefixes := []string{"130", "133", "135", "137", "138", "139", "150", "152", "158", "159", "177", "180", "186", "187", "189", "199"}
	return prefixes[rng.IntN(len(prefixes))] + pad(rng.IntN(100000000), 8)
}

// pad formats n in decimal with at least width digits.
func pad(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) >= width {
		return s
	}
	return strings.Repeat("0", width-len(s)) + s
}
