terraform {
  # Write-only arguments (the database password never lands in state) need Terraform 1.11.
  required_version = "~> 1.11"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.10"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "~> 7.10"
    }
  }

  # State lives in a versioned GCS bucket made once by hand (docs/operations.md, first-time setup):
  #   terraform init -backend-config="bucket=PROJECT-tfstate"
  backend "gcs" {
    prefix = "eaili5/prod"
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

provider "google-beta" {
  project = var.project_id
  region  = var.region
}
