package route

import (
	"fmt"
	"math"
	"time"

	"gridplan/funnel"
)

// Mode is how the manager travels.
type Mode string

// Travel modes.
const (
	Walk  Mode = "walk"
	EBike Mode = "ebike"
	Car   Mode = "car"
)

// Modes lists every mode.
var Modes = []Mode{Walk, EBike, Car}

// ParseMode accepts walk, ebike (e-bike, bike) or car.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "walk", "foot":
		return Walk, nil
	case "ebike", "e-bike", "bike":
		return EBike, nil
	case "car", "drive", "driving":
		return Car, nil
	}
	return "", fmt.Errorf("unknown travel mode %q (want walk, ebike or car)", s)
}

// Travel is a mode's average speed and how much longer than the straight
// line its paths are (streets, crossings, one-way systems).
type Travel struct {
	SpeedKmh float64 `json:"speed_kmh"`
	Detour   float64 `json:"detour"`
}

// Config is what the route planner assumes. DefaultConfig gives the
// method's defaults; zero fields of a Config take them.
type Config struct {
	// Travel per mode: walk 4.5 km/h, e-bike 15 km/h, car 25 km/h (a city
	// average with parking), detour factors 1.3, 1.3 and 1.4.
	Travel map[Mode]Travel `json:"travel"`
	// ServiceMin is the minutes a visit takes by the customer's stage.
	ServiceMin map[funnel.Stage]float64 `json:"service_min"`
	// CadenceDays is how often a customer at a stage is visited in a week
	// plan (intent weekly, potential every two weeks …); 0: once a period.
	CadenceDays map[funnel.Stage]int `json:"cadence_days"`
	// MinGapDays is the least days between two visits to one customer.
	MinGapDays int `json:"min_gap_days"`
	// Hours are the customers' assumed opening hours.
	Hours Hours `json:"hours"`
}

// DefaultConfig is the planner's defaults.
func DefaultConfig() Config {
	return Config{
		Travel: map[Mode]Travel{
			Walk:  {SpeedKmh: 4.5, Detour: 1.3},
			EBike: {SpeedKmh: 15, Detour: 1.3},
			Car:   {SpeedKmh: 25, Detour: 1.4},
		},
		ServiceMin: map[funnel.Stage]float64{
			funnel.Target: 10, funnel.List: 15, funnel.Potential: 20, funnel.Intent: 30,
			funnel.Order: 30, funnel.InNetwork: 15, funnel.Lost: 10, funnel.Churned: 15,
		},
		CadenceDays: map[funnel.Stage]int{
			funnel.Target: 0, funnel.List: 28, funnel.Potential: 14, funnel.Intent: 7,
			funnel.Order: 7, funnel.InNetwork: 30, funnel.Lost: 0, funnel.Churned: 0,
		},
		MinGapDays: 3,
		Hours:      DefaultHours(),
	}
}

// withDefaults fills the zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Travel == nil {
		c.Travel = d.Travel
	}
	if c.ServiceMin == nil {
		c.ServiceMin = d.ServiceMin
	}
	if c.CadenceDays == nil {
		c.CadenceDays = d.CadenceDays
	}
	if c.MinGapDays <= 0 {
		c.MinGapDays = d.MinGapDays
	}
	if c.Hours.ByIndustry == nil && c.Hours.Default.Weekdays == nil && c.Hours.Override == nil {
		c.Hours = d.Hours
	}
	return c
}

// Validate checks speeds, detours and times.
func (c Config) Validate() error {
	for _, m := range Modes {
		t, ok := c.Travel[m]
		if !ok {
			continue
		}
		if !(t.SpeedKmh > 0) || math.IsInf(t.SpeedKmh, 0) {
			return fmt.Errorf("travel %s: speed must be positive, got %v", m, t.SpeedKmh)
		}
		if !(t.Detour >= 1) || math.IsInf(t.Detour, 0) {
			return fmt.Errorf("travel %s: detour must be at least 1, got %v", m, t.Detour)
		}
	}
	for s, v := range c.ServiceMin {
		if !(v >= 0) || v > 24*60 {
			return fmt.Errorf("service_min %s: want 0 to 1440 minutes, got %v", s, v)
		}
	}
	for s, v := range c.CadenceDays {
		if v < 0 {
			return fmt.Errorf("cadence_days %s: must not be negative, got %d", s, v)
		}
	}
	return nil
}

// Service is the time a visit to a customer at stage takes.
func (c Config) Service(stage funnel.Stage) time.Duration {
	m, ok := c.ServiceMin[stage]
	if !ok {
		m = 15
	}
	return time.Duration(m * float64(time.Minute))
}

// travel is mode m's parameters (walking for an unknown mode).
func (c Config) travel(m Mode) Travel {
	if t, ok := c.Travel[m]; ok {
		return t
	}
	if t, ok := c.Travel[Walk]; ok {
		return t
	}
	return DefaultConfig().Travel[Walk]
}
