package loadtest

import (
	"fmt"
	"os"
	"strings"
	"sync"
)

// ackWriter appends acknowledged serial numbers to a file. Workers hand
// serials over without waiting; one goroutine writes whatever has queued
// up and fsyncs after each write, so the file lags the responses by at
// most one fsync.
type ackWriter struct {
	f       *os.File
	mu      sync.Mutex
	pending []string
	wake    chan struct{}
	done    chan error
}

func openAckWriter(path string) (*ackWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening acknowledged-serials file: %w", err)
	}
	w := &ackWriter{f: f, wake: make(chan struct{}, 1), done: make(chan error, 1)}
	go w.run()
	return w, nil
}

func (w *ackWriter) add(serial string) {
	w.mu.Lock()
	w.pending = append(w.pending, serial)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *ackWriter) run() {
	var firstErr error
	for range w.wake {
		if err := w.flush(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if err := w.flush(); err != nil && firstErr == nil {
		firstErr = err
	}
	w.done <- firstErr
}

func (w *ackWriter) flush() error {
	w.mu.Lock()
	lines := w.pending
	w.pending = nil
	w.mu.Unlock()
	if len(lines) == 0 {
		return nil
	}
	if _, err := w.f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		return fmt.Errorf("writing acknowledged serials: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("syncing acknowledged serials: %w", err)
	}
	return nil
}

// close writes what is pending and closes the file. No add may follow.
func (w *ackWriter) close() error {
	close(w.wake)
	err := <-w.done
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}
