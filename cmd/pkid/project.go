package main

import (
	"context"
	"encoding/json"
	"io"

	"github.com/spf13/cobra"

	"github.com/pkid/pkid/internal/client"
)

func newProjectCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "project",
		Short: "Create and read projects",
		Example: `  pkid project create web-pki
  pkid project get 0b8e…`,
	}
	f := addClientFlags(cmd)
	cmd.AddCommand(newProjectCreateCommand(f), newProjectGetCommand(f))
	return cmd
}

func newProjectCreateCommand(f *clientFlags) *cobra.Command {
	var in client.NewProject
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a certificate-manager project",
		Example: `  pkid project create web-pki
  pkid project create "Web PKI" --slug web-pki --description "TLS for the web tier"
  PROJECT=$(pkid project create web-pki -o json | jq -r .project.id)`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&in.Slug, "slug", "", "URL-safe project slug, 5 to 36 lowercase letters, digits and hyphens (default: derived by the server)")
	cmd.Flags().StringVar(&in.ProjectDescription, "description", "", "project description")
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		in.ProjectName = args[0]
		in.Type = "cert-manager"
		p, raw, err := c.CreateProject(ctx, in)
		if err != nil {
			return err
		}
		return f.printProject(cmd.OutOrStdout(), p, raw)
	})
	return cmd
}

func newProjectGetCommand(f *clientFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "get PROJECT_ID",
		Short:   "Show a project",
		Example: `  pkid project get 0b8e…`,
		Args:    cobra.ExactArgs(1),
	}
	cmd.RunE = f.run(func(ctx context.Context, c *client.Client, args []string) error {
		p, raw, err := c.GetProject(ctx, args[0])
		if err != nil {
			return err
		}
		return f.printProject(cmd.OutOrStdout(), p, raw)
	})
	return cmd
}

func (f *clientFlags) printProject(w io.Writer, p client.Project, raw json.RawMessage) error {
	if asJSON, _ := f.json(); asJSON {
		return printRaw(w, raw)
	}
	return printFields(w, []field{
		{"ID", p.ID},
		{"Name", p.Name},
		{"Slug", p.Slug},
		{"Description", orDash(p.Description)},
		{"Type", p.Type},
		{"Created", p.CreatedAt},
	})
}
