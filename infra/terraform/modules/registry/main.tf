# Artifact Registry Docker repository (Container Registry is retired), keeping the last 10 versions per image.
variable "project_id" {
  type        = string
  description = "Google Cloud project id."
}

variable "region" {
  type        = string
  description = "Repository location."
}

variable "keep_versions" {
  type        = number
  description = "How many of the most recent versions of each image the cleanup policy keeps."
}

resource "google_artifact_registry_repository" "images" {
  project                = var.project_id
  location               = var.region
  repository_id          = "eaili5"
  format                 = "DOCKER"
  description            = "EAILI5 backend and frontend images"
  cleanup_policy_dry_run = false

  docker_config {
    immutable_tags = false # `latest` moves with every build; SHA tags never repeat
  }

  # KEEP wins over DELETE: everything but the newest versions of each image is removed.
  cleanup_policies {
    id     = "keep-last-${var.keep_versions}"
    action = "KEEP"
    most_recent_versions {
      keep_count = var.keep_versions
    }
  }

  cleanup_policies {
    id     = "delete-older"
    action = "DELETE"
    condition {
      tag_state = "ANY"
    }
  }
}

output "repository_url" {
  description = "Image prefix, e.g. us-central1-docker.pkg.dev/PROJECT/eaili5."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

output "repository_name" {
  description = "The repository's full resource name."
  value       = google_artifact_registry_repository.images.name
}
