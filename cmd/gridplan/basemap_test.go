package main

import (
	"strings"
	"testing"

	"gridplan/web"
)

func TestValidateBasemap(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"default", web.DefaultBasemapURL, web.DefaultBasemapURL, ""},
		{"subdomains", "https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://{s}.tile.example.org/{z}/{x}/{y}.png", ""},
		{"none", "none", web.BasemapNone, ""},
		{"empty means none", "  ", web.BasemapNone, ""},
		{"not http", "ftp://tiles/{z}/{x}/{y}.png", "", "want an http(s) URL template"},
		{"no y", "https://tiles.example.org/{z}/{x}.png", "", "lacks {y}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{BasemapURL: tt.in}
			err := c.validateBasemap()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "--basemap-url") {
					t.Fatalf("err = %v, want it to name --basemap-url and say %q", err, tt.err)
				}
				return
			}
			if err != nil || c.BasemapURL != tt.want {
				t.Fatalf("got %q, %v; want %q", c.BasemapURL, err, tt.want)
			}
		})
	}
}

func TestServeRejectsBadBasemap(t *testing.T) {
	_, _, err := runCmd(t, noEnv, "", "serve", "--addr", "127.0.0.1:0", "--basemap-url", "tiles/{z}/{x}/{y}.png")
	if err == nil || !strings.Contains(err.Error(), "--basemap-url") {
		t.Fatalf("err = %v, want a --basemap-url error", err)
	}
}
