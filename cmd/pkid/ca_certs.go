package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/pkid/pkid/internal/client"
)

func newCACSRCommand(f *clientFlags) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "csr CA_ID",
		Short: "Print the certificate signing request of an intermediate CA",
		Example: `  pkid ca csr 7c2e… > web-issuing.csr
  pkid ca csr 7c2e… --out ./web-issuing`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write ca.csr to instead of printing it")
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		csr, raw, err := c.CACSR(ctx, args[0])
		if err != nil {
			return err
		}
		if asJSON, _ := f.json(); asJSON {
			if err := printRaw(cmd.OutOrStdout(), raw); err != nil {
				return err
			}
		} else if out == "" {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), csr)
			return err
		}
		if out == "" {
			return nil
		}
		return writeOutFiles(out, []outFile{{name: "ca.csr", content: csr}}, cmd.ErrOrStderr())
	})
	return cmd
}

func newCASignIntermediateCommand(f *clientFlags) *cobra.Command {
	var in client.SignIntermediate
	var csrFile, out string
	var maxPathLength int
	cmd := &cobra.Command{
		Use:   "sign-intermediate CA_ID",
		Short: "Sign an intermediate CA's CSR with this CA",
		Long: `Sign the certificate signing request of an intermediate CA with the CA
CA_ID. Install the result on the intermediate with pkid ca import.`,
		Example: `  pkid ca csr 7c2e… --out ./web-issuing
  pkid ca sign-intermediate 5d1a… --csr ./web-issuing/ca.csr --not-after 5y --out ./web-issuing
  pkid ca import 7c2e… --certificate ./web-issuing/certificate.pem --chain ./web-issuing/chain.pem`,
		Args: cobra.ExactArgs(1),
	}
	fl := cmd.Flags()
	fl.StringVar(&csrFile, "csr", "", "PEM file with the CSR, or - for standard input (required)")
	fl.StringVar(&in.NotAfter, "not-after", "", "end of validity, a date or a span from now such as 5y (required)")
	fl.StringVar(&in.NotBefore, "not-before", "", "start of validity, a date (default: now)")
	fl.IntVar(&maxPathLength, "max-path-length", -1, "max number of CAs below the intermediate; -1 is unlimited")
	fl.StringVar(&out, "out", "", "directory to write certificate.pem and chain.pem to")
	_ = cmd.MarkFlagRequired("csr")
	_ = cmd.MarkFlagRequired("not-after")
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		var err error
		if in.CSR, err = readInputFile("csr", csrFile, cmd.InOrStdin()); err != nil {
			return err
		}
		now := time.Now()
		if in.NotAfter, err = dateArg(in.NotAfter, now); err != nil {
			return err
		}
		if in.NotBefore, err = dateArg(in.NotBefore, now); err != nil {
			return err
		}
		if cmd.Flags().Changed("max-path-length") {
			in.MaxPathLength = &maxPathLength
		}
		res, raw, err := c.SignIntermediate(ctx, args[0], in)
		if err != nil {
			return err
		}
		if err := f.printCertificate(cmd.OutOrStdout(), raw, res.Certificate, []field{{"Serial", res.SerialNumber}}); err != nil {
			return err
		}
		return writeCertFiles(out, res.Certificate, res.CertificateChain, "", cmd)
	})
	return cmd
}

func newCAImportCommand(f *clientFlags) *cobra.Command {
	var certFile, chainFile string
	cmd := &cobra.Command{
		Use:     "import CA_ID",
		Short:   "Install a certificate signed elsewhere on an intermediate CA",
		Example: `  pkid ca import 7c2e… --certificate ./web-issuing/certificate.pem --chain ./web-issuing/chain.pem`,
		Args:    cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&certFile, "certificate", "", "PEM file with the CA certificate (required)")
	cmd.Flags().StringVar(&chainFile, "chain", "", "PEM file with the issuer's certificate and its chain, root last (required)")
	_ = cmd.MarkFlagRequired("certificate")
	_ = cmd.MarkFlagRequired("chain")
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		cert, err := readInputFile("certificate", certFile, cmd.InOrStdin())
		if err != nil {
			return err
		}
		chain, err := readInputFile("chain", chainFile, cmd.InOrStdin())
		if err != nil {
			return err
		}
		res, raw, err := c.ImportCACertificate(ctx, args[0], cert, chain)
		if err != nil {
			return err
		}
		if asJSON, _ := f.json(); asJSON {
			return printRaw(cmd.OutOrStdout(), raw)
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s %s.\n", res.Message, res.CAID)
		return err
	})
	return cmd
}

func newCARenewCommand(f *clientFlags) *cobra.Command {
	var notAfter, extend, out string
	cmd := &cobra.Command{
		Use:   "renew CA_ID",
		Short: "Renew a CA's certificate with the same key pair",
		Long: `Issue a new certificate for the CA's existing key pair and subject, so
everything the CA signed before keeps verifying. Give the new end of
validity with --not-after, or with --extend as a span added to the CA's
current notAfter (units y, d, h, m, s; calendar years and days).`,
		Example: `  pkid ca renew 5d1a… --extend 5y
  pkid ca renew 5d1a… --not-after 2040-01-01 --out ./web-root`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&notAfter, "not-after", "", "new end of validity, a date or a span from now such as 10y")
	cmd.Flags().StringVar(&extend, "extend", "", "span to add to the current notAfter, such as 5y or 90d")
	cmd.Flags().StringVar(&out, "out", "", "directory to write certificate.pem and chain.pem to")
	cmd.MarkFlagsMutuallyExclusive("not-after", "extend")
	cmd.MarkFlagsOneRequired("not-after", "extend")
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		target, err := renewalNotAfter(ctx, c, args[0], notAfter, extend)
		if err != nil {
			return err
		}
		res, raw, err := c.RenewCA(ctx, args[0], target)
		if err != nil {
			return err
		}
		extra := []field{{"Serial", res.SerialNumber}, {"Cert ID", res.CertID}}
		if err := f.printCertificate(cmd.OutOrStdout(), raw, res.Certificate, extra); err != nil {
			return err
		}
		return writeCertFiles(out, res.Certificate, res.CertificateChain, "", cmd)
	})
	return cmd
}

// renewalNotAfter returns the notAfter to request: --not-after as given,
// or the CA's current notAfter plus the --extend span.
func renewalNotAfter(ctx context.Context, c *client.Client, caID, notAfter, extend string) (string, error) {
	if extend == "" {
		return dateArg(notAfter, time.Now())
	}
	if _, err := addSpan(time.Time{}, extend); err != nil {
		return "", fmt.Errorf("invalid --extend: %w", err)
	}
	ca, _, err := c.GetCA(ctx, caID)
	if err != nil {
		return "", err
	}
	current := deref(ca.Configuration.NotAfter)
	if current == "" {
		return "", fmt.Errorf("CA %s has no certificate yet, so there is no notAfter to extend; use --not-after", caID)
	}
	t, err := parseAPITime(current)
	if err != nil {
		return "", err
	}
	next, err := addSpan(t.UTC(), extend)
	if err != nil {
		return "", fmt.Errorf("invalid --extend: %w", err)
	}
	// X.509 validity ends in year 9999 (RFC 5280 §4.1.2.5).
	if next.Year() > 9999 {
		return "", fmt.Errorf("invalid --extend %s: the new notAfter %s would be after the year 9999", extend, next.Format("2006-01-02"))
	}
	return next.Format(time.RFC3339Nano), nil
}

func newCACertsCommand(f *clientFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "certs CA_ID",
		Short:   "List every certificate version of a CA, oldest first",
		Example: `  pkid ca certs 5d1a…`,
		Args:    cobra.ExactArgs(1),
	}
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		certs, raw, err := c.CACertificates(ctx, args[0])
		if err != nil {
			return err
		}
		if asJSON, _ := f.json(); asJSON {
			return printRaw(cmd.OutOrStdout(), raw)
		}
		ca, _, err := c.GetCA(ctx, args[0])
		if err != nil {
			return err
		}
		return printCACerts(cmd.OutOrStdout(), certs, deref(ca.Configuration.ActiveCACertID))
	})
	return cmd
}

func printCACerts(w io.Writer, certs []client.CACert, activeID string) error {
	now := time.Now()
	rows := make([][]string, len(certs))
	for i, v := range certs {
		notBefore, notAfter := "?", "?"
		if c, err := parseCertificatePEM(v.Certificate); err == nil {
			notBefore = c.NotBefore.UTC().Format(time.RFC3339)
			notAfter = c.NotAfter.UTC().Format(time.RFC3339) + " (" + daysLeft(c.NotAfter, now) + ")"
		}
		active := ""
		if v.CertID == activeID {
			active = "active"
		}
		rows[i] = []string{strconv.Itoa(v.Version), v.SerialNumber, notBefore, notAfter, v.CertID, orDash(active)}
	}
	return printTable(w, []string{"VERSION", "SERIAL", "NOT BEFORE", "NOT AFTER", "CERT ID", "ACTIVE"}, rows)
}

// printCertificate writes extra fields and a summary of certPEM, or the
// raw response with -o json.
func (f *clientFlags) printCertificate(w io.Writer, raw []byte, certPEM string, extra []field) error {
	if asJSON, _ := f.json(); asJSON {
		return printRaw(w, raw)
	}
	summary, err := certificateFields(certPEM, time.Now())
	if err != nil {
		return err
	}
	return printFields(w, append(extra, summary...))
}

// writeCertFiles writes certificate.pem, chain.pem and, when key is set,
// private-key.pem into dir; it does nothing when dir is empty.
func writeCertFiles(dir, cert, chain, key string, cmd *cobra.Command) error {
	if dir == "" {
		return nil
	}
	if cert == "" {
		return errors.New("the server returned no certificate to write")
	}
	// The key goes first: when private-key.pem already exists, nothing is
	// replaced.
	return writeOutFiles(dir, []outFile{
		{name: "private-key.pem", content: key, privateKey: true},
		{name: "certificate.pem", content: cert},
		{name: "chain.pem", content: chain},
	}, cmd.ErrOrStderr())
}
