package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/pkid/pkid/internal/client"
)

func newCACommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ca",
		Short: "Manage internal certificate authorities",
		Example: `  pkid ca create --project 0b8e… --name web-root --common-name "Web Root CA" --not-after 10y
  pkid ca list --project 0b8e…
  pkid ca renew 5d1a… --extend 5y`,
	}
	f := addClientFlags(cmd)
	cmd.AddCommand(
		newCACreateCommand(f), newCAListCommand(f), newCAGetCommand(f),
		newCACSRCommand(f), newCASignIntermediateCommand(f), newCAImportCommand(f),
		newCARenewCommand(f), newCACertsCommand(f),
		newCAStatusCommand(f, "enable", "active"), newCAStatusCommand(f, "disable", "disabled"),
		newCADeleteCommand(f),
	)
	return cmd
}

func newCACreateCommand(f *clientFlags) *cobra.Command {
	var in client.NewCA
	var out string
	var maxPathLength int
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a root or intermediate CA",
		Long: `Create a CA. A root with --not-after gets a self-signed certificate at once.
An intermediate with --parent and --not-after is signed by that parent at
once; without --parent it waits for a certificate: get its CSR with
pkid ca csr, have it signed, and install the result with pkid ca import.

Dates are ISO 8601 (2035-01-01 or 2035-01-01T00:00:00Z), or a span from
now such as 10y, 365d or 12h.`,
		Example: `  pkid ca create --project 0b8e… --name web-root --common-name "Web Root CA" \
      --organization "Example Inc" --country US --key-algorithm EC_secp384r1 --not-after 10y
  pkid ca create --project 0b8e… --name web-issuing --type intermediate --parent 5d1a… \
      --common-name "Web Issuing CA" --not-after 2030-01-01 --max-path-length 0 --out ./web-issuing`,
		Args: cobra.NoArgs,
	}
	fl := cmd.Flags()
	cfg := &in.Configuration
	fl.StringVar(&in.ProjectID, "project", "", "id of the project the CA belongs to (required)")
	fl.StringVar(&in.Name, "name", "", "CA name: lowercase letters, digits and single hyphens, at most 64 (required)")
	fl.StringVar(&cfg.Type, "type", "root", "CA type: root or intermediate")
	fl.StringVar(&cfg.CommonName, "common-name", "", "subject common name (CN)")
	fl.StringVar(&cfg.Organization, "organization", "", "subject organization (O)")
	fl.StringVar(&cfg.OU, "ou", "", "subject organizational unit (OU)")
	fl.StringVar(&cfg.Country, "country", "", "subject country (C), two letters")
	fl.StringVar(&cfg.Province, "province", "", "subject state or province (ST)")
	fl.StringVar(&cfg.Locality, "locality", "", "subject locality (L)")
	fl.StringVar(&cfg.FriendlyName, "friendly-name", "", "display name")
	fl.StringVar(&cfg.KeyAlgorithm, "key-algorithm", "", "key algorithm, one of RSA_2048, RSA_3072, RSA_4096, EC_prime256v1, EC_secp384r1, EC_secp521r1 (default: the server's)")
	fl.StringVar(&cfg.NotBefore, "not-before", "", "start of validity, a date (default: now)")
	fl.StringVar(&cfg.NotAfter, "not-after", "", "end of validity, a date or a span from now such as 10y")
	fl.IntVar(&maxPathLength, "max-path-length", -1, "max number of CAs below this one; -1 is unlimited")
	fl.StringVar(&cfg.ParentCAID, "parent", "", "id of the parent CA that signs an intermediate at once")
	fl.StringVar(&out, "out", "", "directory to write certificate.pem and chain.pem to")
	_ = cmd.MarkFlagRequired("project")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions([]string{"root", "intermediate"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("key-algorithm", cobra.FixedCompletions(client.KeyAlgorithms, cobra.ShellCompDirectiveNoFileComp))
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, _ []string) error {
		now := time.Now()
		var err error
		if cfg.NotBefore, err = dateArg(cfg.NotBefore, now); err != nil {
			return err
		}
		if cfg.NotAfter, err = dateArg(cfg.NotAfter, now); err != nil {
			return err
		}
		if cmd.Flags().Changed("max-path-length") {
			cfg.MaxPathLength = &maxPathLength
		}
		ca, raw, err := c.CreateCA(ctx, in)
		if err != nil {
			return err
		}
		if err := f.printCA(cmd.OutOrStdout(), ca, raw); err != nil {
			return err
		}
		return writeCACertificate(ctx, c, ca, out, cmd.ErrOrStderr())
	})
	return cmd
}

func newCAListCommand(f *clientFlags) *cobra.Command {
	var projectID string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the CAs of a project",
		Example: `  pkid ca list --project 0b8e…`,
		Args:    cobra.NoArgs,
	}
	cmd.Flags().StringVar(&projectID, "project", "", "project id (required)")
	_ = cmd.MarkFlagRequired("project")
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, _ []string) error {
		cas, raw, err := c.ListCAs(ctx, projectID)
		if err != nil {
			return err
		}
		if asJSON, _ := f.json(); asJSON {
			return printRaw(cmd.OutOrStdout(), raw)
		}
		now := time.Now()
		rows := make([][]string, len(cas))
		for i, ca := range cas {
			cfg := ca.Configuration
			rows[i] = []string{
				ca.Name, cfg.Type, ca.Status, cfg.KeyAlgorithm,
				expiryText(deref(cfg.NotAfter), now), ca.ID,
			}
		}
		return printTable(cmd.OutOrStdout(), []string{"NAME", "TYPE", "STATUS", "KEY ALGORITHM", "NOT AFTER", "ID"}, rows)
	})
	return cmd
}

func newCAGetCommand(f *clientFlags) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "get CA_ID",
		Short: "Show a CA, and optionally write its certificate and chain",
		Example: `  pkid ca get 5d1a…
  pkid ca get 5d1a… --out ./web-root
  pkid ca get 5d1a… -o json | jq -r .configuration.notAfter`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write the active certificate.pem and chain.pem to")
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		ca, raw, err := c.GetCA(ctx, args[0])
		if err != nil {
			return err
		}
		if err := f.printCA(cmd.OutOrStdout(), ca, raw); err != nil {
			return err
		}
		return writeCACertificate(ctx, c, ca, out, cmd.ErrOrStderr())
	})
	return cmd
}

// newCAStatusCommand returns enable or disable, which set the CA status.
func newCAStatusCommand(f *clientFlags, verb, status string) *cobra.Command {
	cmd := &cobra.Command{
		Use:     verb + " CA_ID",
		Short:   fmt.Sprintf("Set a CA's status to %s", status),
		Example: fmt.Sprintf("  pkid ca %s 5d1a…", verb),
		Args:    cobra.ExactArgs(1),
	}
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		ca, raw, err := c.UpdateCA(ctx, args[0], client.CAUpdate{Status: &status})
		if err != nil {
			return err
		}
		return f.printCA(cmd.OutOrStdout(), ca, raw)
	})
	return cmd
}

func newCADeleteCommand(f *clientFlags) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete CA_ID",
		Short: "Delete a CA and its key",
		Long: `Delete a CA. The server removes the CA's key, so nothing can be signed with
it again. The command needs --yes, because the deletion cannot be undone.`,
		Example: `  pkid ca delete 5d1a… --yes`,
		Args:    cobra.ExactArgs(1),
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm the deletion")
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		if !yes {
			return fmt.Errorf("not deleting CA %s: deletion cannot be undone, add --yes to confirm", args[0])
		}
		ca, raw, err := c.DeleteCA(ctx, args[0])
		if err != nil {
			return err
		}
		if asJSON, _ := f.json(); asJSON {
			return printRaw(cmd.OutOrStdout(), raw)
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "Deleted CA %s (%s).\n", ca.Name, ca.ID)
		return err
	})
	return cmd
}

// printCA writes the CA summary, or the raw response with -o json.
func (f *clientFlags) printCA(w io.Writer, ca client.CA, raw []byte) error {
	if asJSON, _ := f.json(); asJSON {
		return printRaw(w, raw)
	}
	cfg := ca.Configuration
	maxPath := "unlimited"
	if cfg.MaxPathLength != nil && *cfg.MaxPathLength >= 0 {
		maxPath = strconv.Itoa(*cfg.MaxPathLength)
	}
	fields := []field{
		{"Name", ca.Name},
		{"ID", ca.ID},
		{"Project", ca.ProjectID},
		{"Type", cfg.Type},
		{"Status", ca.Status},
		{"Key algorithm", cfg.KeyAlgorithm},
		{"Subject", orDash(cfg.DN)},
	}
	if cfg.Type == "intermediate" {
		fields = append(fields, field{"Parent CA", orDash(deref(cfg.ParentCAID))})
	}
	fields = append(fields,
		field{"Serial", orDash(deref(cfg.SerialNumber))},
		field{"Not before", orDash(deref(cfg.NotBefore))},
		field{"Not after", expiryText(deref(cfg.NotAfter), time.Now())},
		field{"Max path length", maxPath},
		field{"Active cert ID", orDash(deref(cfg.ActiveCACertID))},
	)
	return printFields(w, fields)
}

// writeCACertificate writes the CA's active certificate and chain into
// dir; it does nothing when dir is empty.
func writeCACertificate(ctx context.Context, c *client.Client, ca client.CA, dir string, log io.Writer) error {
	if dir == "" {
		return nil
	}
	if ca.Configuration.ActiveCACertID == nil {
		return fmt.Errorf("CA %s has no certificate yet (status %s), so there is nothing to write to --out", ca.ID, ca.Status)
	}
	cert, _, err := c.CACertificate(ctx, ca.ID)
	if err != nil {
		return err
	}
	return writeOutFiles(dir, []outFile{
		{name: "certificate.pem", content: cert.Certificate},
		{name: "chain.pem", content: cert.CertificateChain},
	}, log)
}
