package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pkid/pkid/internal/client"
)

const defaultServer = "http://127.0.0.1:8080"

// clientFlags are the connection and output settings every client
// command shares.
type clientFlags struct {
	server string
	token  string
	output string
}

// addClientFlags adds --server, --token and --output to cmd and all its
// subcommands.
func addClientFlags(cmd *cobra.Command) *clientFlags {
	f := &clientFlags{}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.server, "server", envOr("PKID_ADDR", defaultServer), "pkid server address, http(s)://host:port (env PKID_ADDR)")
	// The default stays empty so that --help never prints a token taken
	// from the environment; PKID_TOKEN is read when the command runs.
	pf.StringVar(&f.token, "token", "", "access token; default PKID_TOKEN, then the token saved by pkid login")
	pf.StringVarP(&f.output, "output", "o", "text", "output format: text or json (json prints the server's response unchanged)")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return f
}

// serverURL returns --server without a trailing slash.
func (f *clientFlags) serverURL() string {
	return strings.TrimRight(f.server, "/")
}

func (f *clientFlags) json() (bool, error) {
	switch f.output {
	case "text":
		return false, nil
	case "json":
		return true, nil
	}
	return false, fmt.Errorf("invalid --output %q: use text or json", f.output)
}

// tokenSource is the origin of a command's token. It selects the
// hint an auth error gets.
type tokenSource int

const (
	tokenFromFlag tokenSource = iota
	tokenFromEnv
	tokenFromFile
)

// resolveToken returns --token, else PKID_TOKEN, else the token saved by
// pkid login for this server. A missing or expired saved token, or one
// saved for another server, is an error that names the pkid login command.
func (f *clientFlags) resolveToken(now time.Time) (string, tokenSource, error) {
	if f.token != "" {
		return f.token, tokenFromFlag, nil
	}
	if t := os.Getenv("PKID_TOKEN"); t != "" {
		return t, tokenFromEnv, nil
	}
	saved, path, err := loadToken()
	if errors.Is(err, os.ErrNotExist) {
		return "", tokenFromFile, fmt.Errorf("not logged in to %s; run %s, or set --token or PKID_TOKEN",
			f.serverURL(), f.loginHint(""))
	}
	if err != nil {
		return "", tokenFromFile, err
	}
	if saved.Server != f.serverURL() {
		return "", tokenFromFile, fmt.Errorf("the login saved in %s is for %s, not %s; run %s",
			path, saved.Server, f.serverURL(), f.loginHint(""))
	}
	if !now.Before(saved.ExpiresAt) {
		return "", tokenFromFile, fmt.Errorf("the saved login for %s expired at %s; log in again with %s",
			saved.Server, saved.ExpiresAt.UTC().Format(time.RFC3339), f.loginHint(saved.ClientID))
	}
	return saved.AccessToken, tokenFromFile, nil
}

// loginHint returns the pkid login command line for this server, with
// clientID when it is known.
func (f *clientFlags) loginHint(clientID string) string {
	if clientID == "" {
		clientID = "CLIENT_ID"
	}
	hint := "pkid login"
	if f.serverURL() != defaultServer {
		hint += " --server " + f.serverURL()
	}
	return hint + " --client-id " + clientID + " --client-secret -"
}

// apiFunc is the body of a client command: it gets a client with a token
// and the command's arguments.
type apiFunc func(ctx context.Context, c *client.Client, args []string) error

// run returns a cobra RunE that resolves the token, builds the client and
// calls fn. An auth error from the server gets the pkid login hint
// appended, on the same line.
func (f *clientFlags) run(fn apiFunc) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if _, err := f.json(); err != nil {
			return err
		}
		// Check the address before the saved login, whose hints would
		// otherwise repeat a malformed address back to the user.
		if _, err := client.New(f.serverURL(), ""); err != nil {
			return err
		}
		token, source, err := f.resolveToken(time.Now())
		if err != nil {
			return err
		}
		c, err := client.New(f.serverURL(), token)
		if err != nil {
			return err
		}
		err = fn(cmd.Context(), c, args)
		if err == nil || !client.IsAuthError(err) {
			return err
		}
		switch source {
		case tokenFromFile:
			saved, _, _ := loadToken()
			return fmt.Errorf("%w; log in again with %s", err, f.loginHint(saved.ClientID))
		case tokenFromEnv:
			return fmt.Errorf("%w; PKID_TOKEN was rejected, set a fresh token or unset it and run %s", err, f.loginHint(""))
		}
		return fmt.Errorf("%w; --token was rejected", err)
	}
}
