package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"gridplan/data"
	"gridplan/territory"
)

var txCases = []testCase{
	{"tx/commit", testTxCommit},
	{"tx/rollback-on-error", testTxRollbackError},
	{"tx/rollback-on-panic", testTxRollbackPanic},
	{"tx/nested-uses-same-tx", testTxNested},
	{"tx/concurrent-writers", testTxConcurrent},
}

func testTxCommit(t *testing.T, s data.Store) {
	ctx := t.Context()
	var d *territory.District
	var g *territory.Grid
	err := s.InTx(ctx, func(tx data.Store) error {
		d = NewDistrict("330106")
		if err := tx.CreateDistrict(ctx, d); err != nil {
			return err
		}
		g = NewGrid(d.ID, "XH-01")
		if err := tx.CreateGrid(ctx, g); err != nil {
			return err
		}
		// Reads inside the transaction see its writes.
		_, err := tx.Grid(ctx, g.ID)
		return err
	})
	Must(t, err, "InTx")
	got, err := s.Grid(ctx, g.ID)
	Must(t, err, "read committed grid")
	sameGrid(t, got, g)
}

func testTxRollbackError(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	boom := errors.New("boom")
	var created int64
	err := s.InTx(ctx, func(tx data.Store) error {
		c := NewCustomer("tx-1", f.Grid.ID, Hangzhou)
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		created = c.ID
		g := *f.Grid
		g.Name = "renamed in tx"
		if err := tx.UpdateGrid(ctx, &g); err != nil {
			return err
		}
		return fmt.Errorf("after writes: %w", boom)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want fn's error", err)
	}
	_, err = s.Customer(ctx, created)
	WantNotFound(t, err)
	if n := count(t, s, territory.CustomerFilter{}); n != 0 {
		t.Errorf("%d customers after rollback, want 0", n)
	}
	got, err := s.Grid(ctx, f.Grid.ID)
	Must(t, err, "read grid")
	sameGrid(t, got, f.Grid)

	// A store error inside fn, returned by fn, also rolls back the rest.
	err = s.InTx(ctx, func(tx data.Store) error {
		if err := tx.CreateCustomer(ctx, NewCustomer("tx-2", f.Grid.ID, Hangzhou)); err != nil {
			return err
		}
		return tx.CreateCustomer(ctx, NewCustomer("tx-2", f.Grid.ID, Hangzhou))
	})
	WantConflict(t, err, "tx-2")
	if n := count(t, s, territory.CustomerFilter{}); n != 0 {
		t.Errorf("%d customers after a failed transaction, want 0", n)
	}
}

func testTxRollbackPanic(t *testing.T, s data.Store) {
	ctx := t.Context()
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		_ = s.InTx(ctx, func(tx data.Store) error {
			if err := tx.CreateDistrict(ctx, NewDistrict("330106")); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if recovered != "boom" {
		t.Fatalf("InTx recovered %v, want the panic to propagate", recovered)
	}
	ds, err := s.Districts(ctx)
	Must(t, err, "store usable after a panic")
	if len(ds) != 0 {
		t.Errorf("%d districts after a panicking transaction, want 0", len(ds))
	}
	Must(t, s.CreateDistrict(ctx, NewDistrict("330106")), "write after a panic")
}

func testTxNested(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	boom := errors.New("outer fails")
	err := s.InTx(ctx, func(tx data.Store) error {
		c := NewCustomer("outer", f.Grid.ID, Hangzhou)
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		err := tx.InTx(ctx, func(inner data.Store) error {
			// The inner function sees the outer's uncommitted write…
			if _, err := inner.Customer(ctx, c.ID); err != nil {
				return fmt.Errorf("inner cannot see outer write: %w", err)
			}
			return inner.CreateCustomer(ctx, NewCustomer("inner", f.Grid.ID, Hangzhou))
		})
		if err != nil {
			return err
		}
		// … and the outer sees the inner's.
		if _, err := tx.CustomerByExternalID(ctx, "inner"); err != nil {
			return fmt.Errorf("outer cannot see inner write: %w", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want %v", err, boom)
	}
	// The inner "commit" was part of the outer transaction: all gone.
	if n := count(t, s, territory.CustomerFilter{}); n != 0 {
		t.Errorf("%d customers after the outer rollback, want 0", n)
	}

	// An inner error returned through the outer rolls everything back too.
	innerErr := errors.New("inner fails")
	err = s.InTx(ctx, func(tx data.Store) error {
		if err := tx.CreateCustomer(ctx, NewCustomer("outer2", f.Grid.ID, Hangzhou)); err != nil {
			return err
		}
		return tx.InTx(ctx, func(inner data.Store) error { return innerErr })
	})
	if !errors.Is(err, innerErr) {
		t.Fatalf("InTx returned %v, want %v", err, innerErr)
	}
	if n := count(t, s, territory.CustomerFilter{}); n != 0 {
		t.Errorf("%d customers after the inner error, want 0", n)
	}
}

// testTxConcurrent has several goroutines write in transactions and read
// outside them at once, as web requests do: nothing may fail with a busy or
// deadlock error and every write must land.
func testTxConcurrent(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	const workers, each = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				err := s.InTx(ctx, func(tx data.Store) error {
					c := NewCustomer(fmt.Sprintf("w%d-%d", w, i), f.Grid.ID, Hangzhou)
					if err := tx.CreateCustomer(ctx, c); err != nil {
						return err
					}
					c.Name = "updated"
					return tx.UpdateCustomer(ctx, c)
				})
				if err != nil {
					errs <- fmt.Errorf("worker %d tx %d: %w", w, i, err)
				}
				if _, err := s.CountCustomers(ctx, territory.CustomerFilter{GridID: f.Grid.ID}); err != nil {
					errs <- fmt.Errorf("worker %d read %d: %w", w, i, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := count(t, s, territory.CustomerFilter{}); n != workers*each {
		t.Errorf("%d customers after concurrent writes, want %d", n, workers*each)
	}
}
