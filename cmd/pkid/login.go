package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pkid/pkid/internal/client"
)

func newLoginCommand() *cobra.Command {
	var clientID, secretArg string
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in with a universal-auth client id and secret and save the token",
		Long: `Log in to a pkid server with a machine identity's universal-auth client id
and secret. The access token is saved with its expiry in the user's config
directory (on Linux ~/.config/pkid/token.json, mode 0600), and later
commands use it until it expires.

The secret comes from --client-secret, from standard input with
--client-secret -, or from PKID_CLIENT_SECRET. Prefer the last two: a secret
on the command line is visible to other users in the process list.`,
		Example: `  pkid login --client-id 6f1c… --client-secret - < secret.txt
  PKID_CLIENT_SECRET=… pkid login --server https://pkid.internal:8443 --client-id 6f1c…
  export PKID_TOKEN=$(pkid login --client-id 6f1c… --client-secret - -o json | jq -r .accessToken)`,
		Args: cobra.NoArgs,
	}
	f := addClientFlags(cmd)
	cmd.Flags().StringVar(&clientID, "client-id", os.Getenv("PKID_CLIENT_ID"), "universal-auth client id (env PKID_CLIENT_ID)")
	cmd.Flags().StringVar(&secretArg, "client-secret", "", "client secret, or - to read it from standard input (env PKID_CLIENT_SECRET)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		asJSON, err := f.json()
		if err != nil {
			return err
		}
		if clientID == "" {
			return errors.New("missing --client-id (or PKID_CLIENT_ID)")
		}
		secret, err := readSecret(secretArg, cmd.InOrStdin())
		if err != nil {
			return err
		}
		c, err := client.New(f.serverURL(), "")
		if err != nil {
			return err
		}
		started := time.Now()
		res, raw, err := c.Login(cmd.Context(), clientID, secret)
		if client.IsAuthError(err) {
			return fmt.Errorf("login failed: %w; check --client-id and the client secret", err)
		}
		if err != nil {
			return fmt.Errorf("login failed: %w", err)
		}
		// The expiry is counted from when the request was sent, so the saved
		// token is never used past its real expiry on this machine's clock.
		expires := started.Add(time.Duration(res.ExpiresIn) * time.Second)
		path, err := saveToken(savedToken{
			Server: f.serverURL(), ClientID: clientID, AccessToken: res.AccessToken, ExpiresAt: expires,
		})
		if err != nil {
			return err
		}
		if asJSON {
			return printRaw(cmd.OutOrStdout(), raw)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "Logged in to %s as %s. The token expires at %s and is saved in %s.\n",
			f.serverURL(), clientID, expires.UTC().Format(time.RFC3339), path)
		return nil
	}
	return cmd
}

// readSecret returns the client secret from the flag value, from stdin
// when the value is "-", or from PKID_CLIENT_SECRET.
func readSecret(arg string, stdin io.Reader) (string, error) {
	switch arg {
	case "-":
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the client secret from standard input: %w", err)
		}
		secret := strings.TrimSpace(line)
		if secret == "" {
			return "", errors.New("no client secret on standard input")
		}
		return secret, nil
	case "":
		if s := os.Getenv("PKID_CLIENT_SECRET"); s != "" {
			return s, nil
		}
		return "", errors.New("missing client secret: pass --client-secret - and write it to standard input, or set PKID_CLIENT_SECRET")
	}
	return arg, nil
}
