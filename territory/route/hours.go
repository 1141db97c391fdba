package route

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window is an opening interval of a day, in minutes after local midnight
// (Open < Close ≤ 1440). A visit must start at or after Open and end (its
// service done) by Close.
type Window struct {
	Open  int `json:"open"`
	Close int `json:"close"`
}

// String is "09:00-18:00".
func (w Window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Open/60, w.Open%60, w.Close/60, w.Close%60)
}

// MarshalText writes the window as "09:00-18:00".
func (w Window) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText reads "09:00-18:00".
func (w *Window) UnmarshalText(b []byte) error {
	v, err := ParseWindow(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// ParseWindow reads "9:00-18:00" (24:00 allowed as a close).
func ParseWindow(s string) (Window, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Window{}, fmt.Errorf("window %q: want HH:MM-HH:MM", s)
	}
	o, err := ParseClock(a)
	if err != nil {
		return Window{}, fmt.Errorf("window %q: %w", s, err)
	}
	c, err := ParseClock(b)
	if err != nil {
		return Window{}, fmt.Errorf("window %q: %w", s, err)
	}
	if o >= c {
		return Window{}, fmt.Errorf("window %q: opens at or after it closes", s)
	}
	return Window{Open: o, Close: c}, nil
}

// ParseClock reads "HH:MM" as minutes after midnight (0 … 1440).
func ParseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, fmt.Errorf("time %q: want HH:MM", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("time %q: want HH:MM between 00:00 and 24:00", s)
	}
	return hh*60 + mm, nil
}

// WeekHours are a business's opening windows per weekday (indexed by
// time.Weekday: 0 is Sunday). A day without windows is closed.
type WeekHours [7][]Window

// On is the windows of weekday d.
func (h *WeekHours) On(d time.Weekday) []Window { return h[d] }

// HoursSpec is how configuration spells opening hours: windows for Monday
// to Friday, Saturday and Sunday ("09:00-18:00"; several per day; none:
// closed).
type HoursSpec struct {
	Weekdays []Window `json:"weekdays"`
	Saturday []Window `json:"saturday"`
	Sunday   []Window `json:"sunday"`
}

// Week expands the spec to every weekday.
func (s HoursSpec) Week() WeekHours {
	var w WeekHours
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = s.Weekdays
	}
	w[time.Saturday], w[time.Sunday] = s.Saturday, s.Sunday
	return w
}

// Hours says when a customer can be visited. Businesses' opening hours are
// not in the customer records: gridplan assumes them by industry (the
// customer's 行业, the demo city's and the imports' labels, or English
// names), with Default for any other industry. Override holds hours for
// single customers (by id) when they are known.
type Hours struct {
	Default    HoursSpec            `json:"default"`
	ByIndustry map[string]HoursSpec `json:"by_industry"`
	Override   map[int64]HoursSpec  `json:"override,omitempty"`
}

func win(s ...string) []Window {
	out := make([]Window, len(s))
	for i, x := range s {
		w, err := ParseWindow(x)
		if err != nil {
			panic(err)
		}
		out[i] = w
	}
	return out
}

// DefaultHours are the usual opening hours of a Chinese city's businesses:
//
//	retail, resident services, pharmacies  09:00-21:00 every day
//	restaurants                            10:00-14:00 and 17:00-21:00 every day
//	hotels                                 08:00-22:00 every day (the front desk)
//	offices (IT, business, finance, law …) 09:00-18:00 Monday to Friday
//	factories, wholesale, logistics,
//	construction, property management      08:30-17:30 Monday to Saturday
//	car services                           08:30-18:30 every day
//	education and training                 09:00-20:30 every day
//	clinics                                08:30-17:30 Monday to Saturday, 09:00-12:00 Sunday
//	anything else (Default)                09:00-18:00 Monday to Friday
func DefaultHours() Hours {
	every := func(w ...string) HoursSpec {
		return HoursSpec{Weekdays: win(w...), Saturday: win(w...), Sunday: win(w...)}
	}
	office := HoursSpec{Weekdays: win("09:00-18:00")}
	works := HoursSpec{Weekdays: win("08:30-17:30"), Saturday: win("08:30-17:30")}
	shop := every("09:00-21:00")
	food := every("10:00-14:00", "17:00-21:00")
	hotel := every("08:00-22:00")
	car := every("08:30-18:30")
	school := every("09:00-20:30")
	clinic := HoursSpec{Weekdays: win("08:30-17:30"), Saturday: win("08:30-17:30"), Sunday: win("09:00-12:00")}
	by := map[string]HoursSpec{
		"零售": shop, "retail": shop, "居民服务": shop, "resident_services": shop, "房地产中介": shop, "real_estate_agency": shop,
		"餐饮": food, "restaurant": food, "catering": food,
		"住宿": hotel, "hotel": hotel,
		"汽车服务": car, "car_services": car,
		"教育培训": school, "education": school,
		"医疗健康": clinic, "health": clinic,
		"软件和信息技术服务": office, "software": office, "电子商务": office, "ecommerce": office,
		"科技推广和应用服务": office, "technology": office, "商务服务": office, "business_services": office,
		"法律服务": office, "legal": office, "金融": office, "finance": office, "文化传媒": office, "media": office,
		"制造": works, "manufacturing": works, "批发": works, "wholesale": works, "物流": works, "logistics": works,
		"建筑装饰": works, "construction": works, "物业管理": works, "property_management": works,
	}
	return Hours{Default: office, ByIndustry: by}
}

// For is the opening windows of customer id of industry on weekday d.
func (h Hours) For(id int64, industry string, d time.Weekday) []Window {
	if s, ok := h.Override[id]; ok {
		w := s.Week()
		return w[d]
	}
	s, ok := h.ByIndustry[industry]
	if !ok {
		s, ok = h.ByIndustry[strings.ToLower(strings.TrimSpace(industry))]
	}
	if !ok {
		s = h.Default
	}
	w := s.Week()
	return w[d]
}
