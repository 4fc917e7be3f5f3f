variable "project_id" {
  type        = string
  description = "Google Cloud project id."
}

variable "region" {
  type        = string
  description = "Region of the services, the job and the domain mappings."
}

variable "domain" {
  type        = string
  description = "Apex domain: the app is base.DOMAIN, the API base-api.DOMAIN."
}

variable "network_name" {
  type        = string
  description = "VPC for Direct VPC egress (private ranges only) to Cloud SQL and Redis."
}

variable "subnet_id" {
  type        = string
  description = "Subnet Cloud Run instances take egress addresses from."
}

variable "backend_service_account" {
  type        = string
  description = "Email of the backend's service account (service and migration job)."
}

variable "frontend_service_account" {
  type        = string
  description = "Email of the frontend's service account."
}

variable "backend_image" {
  type        = string
  description = "Initial backend image; Cloud Build deploys later revisions (Terraform ignores image changes)."
}

variable "frontend_image" {
  type        = string
  description = "Initial frontend image; Cloud Build deploys later revisions."
}

variable "secret_ids" {
  type        = map(string)
  description = "Secret Manager secret id (short name) => full id, from the secrets module."
}

variable "backend_file_secrets" {
  type        = map(string)
  description = "Secret name => app setting read from <SETTING>_FILE. Every secret listed needs a version before deploy."
}

variable "gmp_config_secret" {
  type        = string
  description = "Secret holding the Prometheus sidecar config (RunMonitoring YAML)."
}

variable "gmp_sidecar_image" {
  type        = string
  description = "Google's Managed Prometheus sidecar for Cloud Run (exports /metrics, incl. ws_connections_active)."
}

variable "backend_memory" {
  type        = string
  description = "Backend memory limit per instance."
}

variable "backend_cpu" {
  type        = string
  description = "Backend vCPUs per instance."
}

variable "backend_min_instances" {
  type        = number
  description = "Backend instances kept warm (1: no cold start, the market poller keeps running)."
}

variable "backend_max_instances" {
  type        = number
  description = "Backend instance ceiling (bounds cost and database connections: max x EAILI5_DB_POOL_SIZE)."
}

variable "backend_concurrency" {
  type        = number
  description = "Requests (each WebSocket counts as one) per backend instance."
}

variable "backend_timeout_seconds" {
  type        = number
  description = "Request timeout; a WebSocket is one request, so this is a socket's longest life."
}

variable "frontend_memory" {
  type        = string
  description = "Frontend memory limit per instance."
}

variable "frontend_cpu" {
  type        = string
  description = "Frontend vCPUs per instance."
}

variable "frontend_min_instances" {
  type        = number
  description = "Frontend instances kept warm (0: scale to zero)."
}

variable "frontend_max_instances" {
  type        = number
  description = "Frontend instance ceiling."
}

variable "frontend_concurrency" {
  type        = number
  description = "Requests per frontend instance."
}

variable "backend_env" {
  type        = map(string)
  description = "Extra plain settings for the backend (e.g. EAILI5_MARKET_SOURCES)."
}

variable "farcaster_account_association" {
  type = object({
    header    = string
    payload   = string
    signature = string
  })
  description = "The mini app manifest's accountAssociation for base.DOMAIN (public values), given to the backend; empty strings to omit."
}

variable "frontend_connect_src_extra" {
  type        = string
  description = "More origins for the web app's CSP connect-src, space-separated (e.g. a wallet relay); the API's are always there."
}
