package main

import (
	"context"
	"errors"
	"io"
)

func importCmd(ctx context.Context, args []string, e env, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("import: not implemented yet")
}
