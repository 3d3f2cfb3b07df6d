// Package client is a typed HTTP client for the pkid API. It speaks only
// HTTP: it never opens the database. Every call returns the decoded value
// and the raw response body, so callers can print the server's JSON
// unchanged.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout bounds one request, including reading the response.
// Creating an RSA 4096 CA is the slowest call and takes seconds.
const DefaultTimeout = 2 * time.Minute

// maxResponseBytes bounds a response body the client reads into memory.
const maxResponseBytes = 32 << 20

// Client sends requests to one pkid server.
type Client struct {
	baseURL string
	token   string
	http    *http.Client
}

// New returns a client for the server at baseURL (scheme, host and port,
// such as http://127.0.0.1:8080) that sends token as a bearer token. An
// empty token sends no Authorization header.
func New(baseURL, token string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("invalid server address %q: %w", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("invalid server address %q: want http:// or https:// followed by host:port", baseURL)
	}
	return &Client{
		baseURL: strings.TrimRight(baseURL, "/"),
		token:   token,
		http:    &http.Client{Timeout: DefaultTimeout},
	}, nil
}

// BaseURL returns the server address the client sends requests to.
func (c *Client) BaseURL() string { return c.baseURL }

// do sends a request with body encoded as JSON (nil for none), decodes a
// 200 response into out (nil to skip) and returns the raw body. Any other
// status becomes an *APIError.
func (c *Client) do(ctx context.Context, method, path string, body, out any) (json.RawMessage, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encoding request body: %w", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, rd)
	if err != nil {
		return nil, fmt.Errorf("building request %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &ConnectionError{Server: c.baseURL, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("reading response of %s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, decodeError(resp, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fmt.Errorf("decoding response of %s %s: %w", method, path, err)
		}
	}
	return data, nil
}

// ConnectionError is a request that got no HTTP response at all.
type ConnectionError struct {
	Server string
	Err    error
}

func (e *ConnectionError) Error() string {
	return fmt.Sprintf("cannot reach the pkid server at %s: %v", e.Server, e.Err)
}

func (e *ConnectionError) Unwrap() error { return e.Err }

// IsConnectionError reports whether err is a request that got no
// response.
func IsConnectionError(err error) bool {
	var ce *ConnectionError
	return errors.As(err, &ce)
}
