package main

import (
	"context"
	"errors"
	"io"
)

func assignCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	return errors.New("assign: not implemented yet")
}
