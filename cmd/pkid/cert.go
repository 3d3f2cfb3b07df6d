package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pkid/pkid/internal/client"
)

func newCertCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cert",
		Short: "Issue, sign, read and revoke end-entity certificates",
		Example: `  pkid cert issue --ca 7c2e… --common-name www.example.test --alt-names www.example.test,10.0.0.5 --ttl 90d --out ./www
  pkid cert revoke 91aa… --reason KEY_COMPROMISE`,
	}
	f := addClientFlags(cmd)
	cmd.AddCommand(newCertIssueCommand(f), newCertSignCommand(f), newCertGetCommand(f), newCertRevokeCommand(f))
	return cmd
}

// addCertificateFlags binds the flags issue and sign share.
func addCertificateFlags(cmd *cobra.Command, in *client.CertificateRequest, keyUsages, extKeyUsages *[]string) {
	fl := cmd.Flags()
	fl.StringVar(&in.CAID, "ca", "", "id of the issuing CA (required)")
	fl.StringVar(&in.FriendlyName, "friendly-name", "", "display name")
	fl.StringVar(&in.AltNames, "alt-names", "", "comma-separated subject alternative names: DNS names, IP addresses, emails, URIs")
	fl.StringVar(&in.TTL, "ttl", "", "validity from now, such as 90d, 12h or 3600s (default: the server's, 1 year)")
	fl.StringVar(&in.NotBefore, "not-before", "", "start of validity, a date (default: now)")
	fl.StringVar(&in.NotAfter, "not-after", "", "end of validity, a date; excludes --ttl")
	fl.StringSliceVar(keyUsages, "key-usages", nil, "comma-separated key usages, such as digital_signature,key_encipherment")
	fl.StringSliceVar(extKeyUsages, "extended-key-usages", nil, "comma-separated extended key usages, such as server_auth,client_auth")
	_ = cmd.MarkFlagRequired("ca")
	cmd.MarkFlagsMutuallyExclusive("ttl", "not-after")
}

func newCertIssueCommand(f *clientFlags) *cobra.Command {
	var in client.CertificateRequest
	var out string
	cmd := &cobra.Command{
		Use:   "issue",
		Short: "Create a key pair and a certificate for it",
		Long: `Create a key pair on the server and issue a certificate for it. The private
key is in the response only: keep it with --out DIR (private-key.pem, mode
0600) or -o json, or read it later with pkid cert get ID --private-key.`,
		Example: `  pkid cert issue --ca 7c2e… --common-name www.example.test \
      --alt-names www.example.test,api.example.test --ttl 24h --out ./www
  pkid cert issue --ca 7c2e… --common-name db01 --ttl 90d -o json > db01.json`,
		Args: cobra.NoArgs,
	}
	addCertificateFlags(cmd, &in, &in.KeyUsages, &in.ExtendedKeyUsages)
	cmd.Flags().StringVar(&in.CommonName, "common-name", "", "subject common name (required)")
	cmd.Flags().StringVar(&out, "out", "", "directory to write certificate.pem, chain.pem and private-key.pem to")
	_ = cmd.MarkFlagRequired("common-name")
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, _ []string) error {
		// Check --out first: a failure after the server issued the
		// certificate would leave an issued key that was never saved.
		if err := prepareOutDir(out, true); err != nil {
			return err
		}
		res, raw, err := c.IssueCertificate(ctx, in)
		if err != nil {
			return err
		}
		if err := f.printIssued(cmd.OutOrStdout(), raw, res); err != nil {
			return err
		}
		if asJSON, _ := f.json(); out == "" && !asJSON {
			fmt.Fprintf(cmd.ErrOrStderr(), "The private key was not saved; use --out DIR or -o json, or read it with pkid cert get %s --private-key --out DIR.\n", res.CertificateID)
		}
		return writeCertFiles(out, res.Certificate, res.CertificateChain, res.PrivateKey, cmd)
	})
	return cmd
}

func newCertSignCommand(f *clientFlags) *cobra.Command {
	var in client.CertificateRequest
	var csrFile, out string
	cmd := &cobra.Command{
		Use:   "sign",
		Short: "Sign a certificate signing request",
		Long: `Sign a CSR. The common name and alternative names come from the CSR unless
--common-name or --alt-names are given.`,
		Example: `  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout www.key -subj /CN=www.example.test -out www.csr
  pkid cert sign --ca 7c2e… --csr www.csr --ttl 90d --out ./www`,
		Args: cobra.NoArgs,
	}
	addCertificateFlags(cmd, &in, &in.KeyUsages, &in.ExtendedKeyUsages)
	cmd.Flags().StringVar(&in.CommonName, "common-name", "", "subject common name (default: the CSR's)")
	cmd.Flags().StringVar(&csrFile, "csr", "", "PEM file with the CSR, or - for standard input (required)")
	cmd.Flags().StringVar(&out, "out", "", "directory to write certificate.pem and chain.pem to")
	_ = cmd.MarkFlagRequired("csr")
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, _ []string) error {
		var err error
		if in.CSR, err = readInputFile("csr", csrFile, cmd.InOrStdin()); err != nil {
			return err
		}
		res, raw, err := c.SignCertificate(ctx, in)
		if err != nil {
			return err
		}
		if err := f.printIssued(cmd.OutOrStdout(), raw, res); err != nil {
			return err
		}
		return writeCertFiles(out, res.Certificate, res.CertificateChain, "", cmd)
	})
	return cmd
}

func (f *clientFlags) printIssued(w io.Writer, raw []byte, res client.IssuedCertificate) error {
	return f.printCertificate(w, raw, res.Certificate, []field{
		{"Certificate ID", res.CertificateID},
		{"Serial", res.SerialNumber},
	})
}

func newCertGetCommand(f *clientFlags) *cobra.Command {
	var out string
	var privateKey bool
	cmd := &cobra.Command{
		Use:   "get CERTIFICATE_ID",
		Short: "Show an issued certificate, and optionally write its files",
		Example: `  pkid cert get 91aa…
  pkid cert get 91aa… --out ./www
  pkid cert get 91aa… --private-key --out ./www`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write certificate.pem and chain.pem to")
	cmd.Flags().BoolVar(&privateKey, "private-key", false, "also write private-key.pem (needs the read-private-key permission)")
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		if privateKey && out == "" {
			return fmt.Errorf("--private-key needs --out DIR")
		}
		cert, raw, err := c.GetCertificate(ctx, args[0])
		if err != nil {
			return err
		}
		if err := f.printCertificateRecord(cmd.OutOrStdout(), cert, raw); err != nil {
			return err
		}
		if out == "" {
			return nil
		}
		pems, _, err := c.CertificatePEM(ctx, args[0], privateKey)
		if err != nil {
			return err
		}
		return writeCertFiles(out, pems.Certificate, pems.CertificateChain, pems.PrivateKey, cmd)
	})
	return cmd
}

func (f *clientFlags) printCertificateRecord(w io.Writer, c client.Certificate, raw []byte) error {
	if asJSON, _ := f.json(); asJSON {
		return printRaw(w, raw)
	}
	fields := []field{
		{"ID", c.ID},
		{"CA", c.CAID},
		{"Status", c.Status},
		{"Common name", orDash(c.CommonName)},
		{"Alt names", orDash(c.AltNames)},
		{"Serial", c.SerialNumber},
		{"Not before", orDash(c.NotBefore)},
		{"Not after", expiryText(c.NotAfter, time.Now())},
	}
	if c.RevokedAt != nil {
		fields = append(fields,
			field{"Revoked at", *c.RevokedAt},
			field{"Revocation reason", orDash(string(c.RevocationReason))})
	}
	return printFields(w, fields)
}

func newCertRevokeCommand(f *clientFlags) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "revoke CERTIFICATE_ID",
		Short: "Revoke an issued certificate",
		Long: "Revoke a certificate. The CA's next CRL lists it. Reasons: " +
			strings.Join(client.RevocationReasons, ", ") + ".",
		Example: `  pkid cert revoke 91aa… --reason KEY_COMPROMISE`,
		Args:    cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&reason, "reason", "UNSPECIFIED", "revocation reason, such as KEY_COMPROMISE or SUPERSEDED")
	_ = cmd.RegisterFlagCompletionFunc("reason", cobra.FixedCompletions(client.RevocationReasons, cobra.ShellCompDirectiveNoFileComp))
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		res, raw, err := c.RevokeCertificate(ctx, args[0], reason)
		if err != nil {
			return err
		}
		if asJSON, _ := f.json(); asJSON {
			return printRaw(cmd.OutOrStdout(), raw)
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s: serial %s, revoked at %s.\n", res.Message, res.SerialNumber, res.RevokedAt)
		return err
	})
	return cmd
}
