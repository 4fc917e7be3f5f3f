# One service account per service, each with only what it needs. Secret access is granted per secret
# in the secrets module: the backend's account reads its secrets; the frontend's reads only the public
# WalletConnect project id (which nginx writes into config.js).
variable "project_id" {
  type        = string
  description = "Google Cloud project id."
}

variable "region" {
  type        = string
  description = "Region of the Artifact Registry repository."
}

variable "repository_name" {
  type        = string
  description = "Artifact Registry repository the deployer pushes to."
}

resource "google_service_account" "backend" {
  project      = var.project_id
  account_id   = "eaili5-backend"
  display_name = "EAILI5 backend (Cloud Run service and migration job)"
}

resource "google_service_account" "frontend" {
  project      = var.project_id
  account_id   = "eaili5-frontend"
  display_name = "EAILI5 frontend (nginx on Cloud Run)"
}

resource "google_service_account" "deployer" {
  project      = var.project_id
  account_id   = "eaili5-deployer"
  display_name = "EAILI5 Cloud Build deployer"
}

locals {
  project_roles = {
    # Logs, metrics (including the Prometheus sidecar's) and traces.
    backend  = ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"]
    frontend = ["roles/logging.logWriter"]
    # Deploys revisions, runs the migration job, moves traffic; writes build logs; reads the source
    # archive `gcloud builds submit` uploads to the PROJECT_cloudbuild bucket.
    deployer = ["roles/run.developer", "roles/logging.logWriter", "roles/storage.objectViewer"]
  }
  members = {
    backend  = google_service_account.backend.member
    frontend = google_service_account.frontend.member
    deployer = google_service_account.deployer.member
  }
  bindings = merge([
    for account, roles in local.project_roles : {
      for role in roles : "${account}:${role}" => { member = local.members[account], role = role }
    }
  ]...)
}

resource "google_project_iam_member" "roles" {
  for_each = local.bindings
  project  = var.project_id
  role     = each.value.role
  member   = each.value.member
}

# The deployer may deploy revisions that run as the two runtime accounts, and nothing else.
resource "google_service_account_iam_member" "deployer_acts_as" {
  for_each = {
    backend  = google_service_account.backend.name
    frontend = google_service_account.frontend.name
  }
  service_account_id = each.value
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.deployer.member
}

resource "google_artifact_registry_repository_iam_member" "deployer_push" {
  project    = var.project_id
  location   = var.region
  repository = var.repository_name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.deployer.member
}

output "backend_email" {
  description = "Backend service account email."
  value       = google_service_account.backend.email
}

output "backend_member" {
  description = "Backend service account as an IAM member."
  value       = google_service_account.backend.member
}

output "frontend_email" {
  description = "Frontend service account email."
  value       = google_service_account.frontend.email
}

output "frontend_member" {
  description = "Frontend service account as an IAM member."
  value       = google_service_account.frontend.member
}

output "deployer_email" {
  description = "Cloud Build deployer service account email (gcloud builds submit --service-account)."
  value       = google_service_account.deployer.email
}
