package main

import (
	"context"
	"errors"
	"io"
)

func geocodeCmd(ctx context.Context, args []string, e env, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("geocode: not implemented yet")
}
