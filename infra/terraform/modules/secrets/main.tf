# Secret Manager secrets: the containers only. Values are added by the operator with
# `gcloud secrets versions add NAME --data-file=-` and never appear in Terraform code or state.
variable "project_id" {
  type        = string
  description = "Google Cloud project id."
}

variable "accessor_member" {
  type        = string
  description = "The only IAM member allowed to read the secret values (the backend's service account)."
}

variable "public_reader_member" {
  type        = string
  description = "IAM member allowed to read only the public ids among the secrets (the frontend's service account)."
}

variable "rotation_start" {
  type        = string
  description = "RFC 3339 time of the first rotation reminder; later ones follow every rotation period."
}

variable "gmp_config" {
  type        = string
  description = "RunMonitoring YAML for the backend's Prometheus sidecar (not a secret: Cloud Run mounts files only from Secret Manager)."
}

locals {
  day = 86400
  # Secret id => rotation period in seconds (null: no rotation). Reminders go to the rotation topic.
  secrets = {
    "openai-api-key"           = 90 * local.day
    "tavily-api-key"           = 90 * local.day
    "bitquery-api-key"         = 90 * local.day
    "database-url"             = 180 * local.day
    "redis-url"                = null
    "walletconnect-project-id" = null
  }
  # Ids every browser sees anyway (config.js), kept here so the backend and nginx read one value.
  public_secrets = ["walletconnect-project-id"]
}

resource "google_pubsub_topic" "rotation" {
  project = var.project_id
  name    = "secret-rotation"
}

# Secret Manager publishes rotation reminders as its own service agent.
resource "google_project_service_identity" "secretmanager" {
  provider = google-beta
  project  = var.project_id
  service  = "secretmanager.googleapis.com"
}

resource "google_pubsub_topic_iam_member" "secretmanager_publishes" {
  project = var.project_id
  topic   = google_pubsub_topic.rotation.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_project_service_identity.secretmanager.email}"
}

resource "google_secret_manager_secret" "app" {
  for_each  = local.secrets
  project   = var.project_id
  secret_id = each.key

  replication {
    auto {}
  }

  topics {
    name = google_pubsub_topic.rotation.id
  }

  dynamic "rotation" {
    for_each = each.value == null ? [] : [each.value]
    content {
      rotation_period    = "${rotation.value}s"
      next_rotation_time = var.rotation_start
    }
  }

  lifecycle {
    # Secret Manager moves next_rotation_time forward after each reminder.
    ignore_changes = [rotation[0].next_rotation_time]
  }

  depends_on = [google_pubsub_topic_iam_member.secretmanager_publishes]
}

# Per secret, to the backend's account only (never project-wide).
resource "google_secret_manager_secret_iam_member" "backend_reads" {
  for_each  = google_secret_manager_secret.app
  project   = var.project_id
  secret_id = each.value.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = var.accessor_member
}

# The frontend's account reads the public ids only, each granted on its own secret.
resource "google_secret_manager_secret_iam_member" "frontend_reads_public" {
  for_each  = toset(local.public_secrets)
  project   = var.project_id
  secret_id = google_secret_manager_secret.app[each.key].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = var.public_reader_member
}

# Audit log of every read of a secret value (DATA_READ) and of metadata reads.
resource "google_project_iam_audit_config" "secretmanager" {
  project = var.project_id
  service = "secretmanager.googleapis.com"
  audit_log_config {
    log_type = "ADMIN_READ"
  }
  audit_log_config {
    log_type = "DATA_READ"
  }
}

# The Prometheus sidecar's scrape config (plain YAML from this repository, not a credential).
resource "google_secret_manager_secret" "gmp_config" {
  project   = var.project_id
  secret_id = "run-gmp-config"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "gmp_config" {
  secret      = google_secret_manager_secret.gmp_config.id
  secret_data = var.gmp_config
}

resource "google_secret_manager_secret_iam_member" "backend_reads_gmp_config" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.gmp_config.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = var.accessor_member
}

output "secret_ids" {
  description = "Secret id => full resource id."
  value       = { for name, secret in google_secret_manager_secret.app : name => secret.id }
}

output "gmp_config_secret_id" {
  description = "Secret holding the Prometheus sidecar config."
  value       = google_secret_manager_secret.gmp_config.secret_id
}

output "rotation_topic" {
  description = "Pub/Sub topic receiving rotation reminders (subscribe an alert or a person to it)."
  value       = google_pubsub_topic.rotation.id
}
