package importer

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"gridplan/territory"
)

// parseCoord reads a longitude or latitude: a decimal number, full-width
// digits allowed, a trailing ° ignored. NaN, infinities and anything that
// is not plain decimal notation (hex floats, "1_000") are refused.
func parseCoord(s string) (float64, error) {
	s = strings.TrimSpace(width.Fold.String(s))
	s = strings.TrimSuffix(s, "°")
	if s == "" {
		return 0, fmt.Errorf("is empty")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			low := strings.ToLower(s)
			switch {
			case strings.Contains(low, "nan"):
				return 0, fmt.Errorf("%q is not a number", s)
			case strings.Contains(low, "inf"):
				return 0, fmt.Errorf("%q is infinite", s)
			}
			return 0, fmt.Errorf("%q is not a decimal number", clip(s, 40))
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a decimal number", clip(s, 40))
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is out of range", clip(s, 40))
	}
	return v, nil
}

// sizeWords maps what size columns say to a size class.
var sizeWords = map[string]territory.Size{
	"micro": territory.SizeMicro, "微型": territory.SizeMicro, "微": territory.SizeMicro, "微型企业": territory.SizeMicro,
	"small": territory.SizeSmall, "小型": territory.SizeSmall, "小": territory.SizeSmall, "小型企业": territory.SizeSmall,
	"medium": territory.SizeMedium, "中型": territory.SizeMedium, "中": territory.SizeMedium, "中型企业": territory.SizeMedium,
	"large": territory.SizeLarge, "大型": territory.SizeLarge, "大": territory.SizeLarge, "大型企业": territory.SizeLarge,
}

func parseSize(s string) (territory.Size, error) {
	if v, ok := sizeWords[normHeader(s)]; ok {
		return v, nil
	}
	return "", fmt.Errorf("unknown size %q (want micro, small, medium or large; 微型, 小型, 中型 or 大型)", clip(s, 40))
}

// carrierWords maps what carrier columns say about who serves a customer.
var carrierWords = map[string]territory.Carrier{
	"ours": territory.CarrierOurs, "本网": territory.CarrierOurs, "我司": territory.CarrierOurs, "我方": territory.CarrierOurs, "自有": territory.CarrierOurs, "在网": territory.CarrierOurs,
	"competitor": territory.CarrierCompetitor, "异网": territory.CarrierCompetitor, "他网": territory.CarrierCompetitor, "竞争对手": territory.CarrierCompetitor, "友商": territory.CarrierCompetitor,
	"none": territory.CarrierNone, "无": territory.CarrierNone, "没有": territory.CarrierNone, "未使用": territory.CarrierNone,
	"unknown": territory.CarrierUnknown, "未知": territory.CarrierUnknown, "不详": territory.CarrierUnknown, "不清楚": territory.CarrierUnknown,
}

// carrierNames are the mainland carriers by the names files use for them.
var carrierNames = map[string]string{
	"中国电信": "telecom", "电信": "telecom", "chinatelecom": "telecom", "telecom": "telecom", "ct": "telecom",
	"中国移动": "mobile", "移动": "mobile", "chinamobile": "mobile", "mobile": "mobile", "cmcc": "mobile", "cm": "mobile",
	"中国联通": "unicom", "联通": "unicom", "chinaunicom": "unicom", "unicom": "unicom", "cu": "unicom",
	"中国广电": "broadnet", "广电": "broadnet", "chinabroadnet": "broadnet", "broadnet": "broadnet", "cbn": "broadnet",
}

// CarrierName checks an operator name given as "our carrier" (电信, China
// Mobile …) and returns its canonical key.
func CarrierName(s string) (string, error) {
	if k, ok := carrierNames[normHeader(s)]; ok {
		return k, nil
	}
	return "", fmt.Errorf("unknown carrier %q (want 电信, 移动, 联通 or 广电)", s)
}

// parseCarrier reads a carrier cell. A carrier's name (电信, 移动 …) means
// ours when it is ourCarrier's and a competitor otherwise; without
// ourCarrier such a name cannot be judged and is refused.
func parseCarrier(s, ourCarrier string) (territory.Carrier, error) {
	n := normHeader(s)
	if v, ok := carrierWords[n]; ok {
		return v, nil
	}
	if k, ok := carrierNames[n]; ok {
		if ourCarrier == "" {
			return "", fmt.Errorf("%q names a carrier; say which carrier is ours (our carrier option) or write ours/competitor/none/unknown", clip(s, 40))
		}
		if k == ourCarrier {
			return territory.CarrierOurs, nil
		}
		return territory.CarrierCompetitor, nil
	}
	return "", fmt.Errorf("unknown carrier %q (want ours, competitor, none or unknown; 本网, 异网, 无 or 未知; or an operator name with our carrier set)", clip(s, 40))
}

var specialWords = map[string]bool{
	"true": true, "yes": true, "y": true, "1": true, "是": true, "√": true, "✓": true, "✔": true, "特殊": true, "x": true,
	"false": false, "no": false, "n": false, "0": false, "否": false, "×": false, "✗": false, "普通": false, "-": false,
}

func parseSpecial(s string) (bool, error) {
	if v, ok := specialWords[strings.ToLower(strings.TrimSpace(width.Fold.String(s)))]; ok {
		return v, nil
	}
	return false, fmt.Errorf("%q is not yes or no (want true/false, 1/0, 是/否)", clip(s, 40))
}

// clip shortens s for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
