"""Tooling for the Terraform roots: the state bucket bootstrap, the site upload of
``make deploy``, and the module READMEs' Inputs/Outputs tables."""
