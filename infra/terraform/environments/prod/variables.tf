# --- where ------------------------------------------------------------------------------------
variable "project_id" {
  type        = string
  description = "Google Cloud project id (create the project and link billing first)."
}

variable "region" {
  type        = string
  description = "Region for Cloud Run, Cloud SQL, Memorystore and Artifact Registry."
  default     = "us-central1"
}

variable "domain" {
  type        = string
  description = "Apex domain: the app is served on base.DOMAIN and the API on base-api.DOMAIN."
  default     = "explainailikeimfive.com"
}

# --- images (first apply only: Cloud Build deploys every later revision) ----------------------
variable "backend_image" {
  type        = string
  description = "Backend image for the first revision and the migration job, e.g. REGION-docker.pkg.dev/PROJECT/eaili5/backend:latest."
  default     = "us-docker.pkg.dev/cloudrun/container/hello"
}

variable "frontend_image" {
  type        = string
  description = "Frontend image for the first revision."
  default     = "us-docker.pkg.dev/cloudrun/container/hello"
}

variable "gmp_sidecar_image" {
  type        = string
  description = "Managed Prometheus sidecar for Cloud Run (exports the app's /metrics to Cloud Monitoring)."
  default     = "us-docker.pkg.dev/cloud-ops-agents-artifacts/cloud-run-gmp-sidecar/cloud-run-gmp-sidecar:1.2.0"
}

variable "image_versions_kept" {
  type        = number
  description = "Artifact Registry cleanup: versions kept per image."
  default     = 10
}

# --- backend scaling knobs --------------------------------------------------------------------
variable "backend_memory" {
  type        = string
  description = "Backend memory per instance."
  default     = "2Gi"
}

variable "backend_cpu" {
  type        = string
  description = "Backend vCPUs per instance."
  default     = "2"
}

variable "backend_min_instances" {
  type        = number
  description = "Backend instances always running."
  default     = 1
}

variable "backend_max_instances" {
  type        = number
  description = "Backend instance ceiling (x EAILI5_WORKERS x 2 x EAILI5_DB_POOL_SIZE must stay under db_max_connections; plan checks it)."
  default     = 10
}

variable "backend_concurrency" {
  type        = number
  description = "Concurrent requests (a WebSocket is one) per backend instance."
  default     = 80
}

variable "backend_timeout_seconds" {
  type        = number
  description = "Backend request timeout: the longest a WebSocket lives before the client reconnects (max 3600)."
  default     = 3600
}

variable "backend_env" {
  type        = map(string)
  description = "Extra plain backend settings (README, Production configuration), e.g. EAILI5_MARKET_SOURCES."
  default = {
    EAILI5_MARKET_SOURCES = "geckoterminal,dexscreener,simulated"
    # One server process per vCPU (the backend gets 2); each worker has its own EAILI5_DB_POOL_SIZE pool.
    EAILI5_WORKERS = "2"
    # Up to 2 x 2 connections per worker (pool + overflow): 10 instances x 2 workers x 4 = 80 of the 100.
    # Transactions last milliseconds (nothing holds one across a model call), so 2 idle + 2 burst suffice.
    EAILI5_DB_POOL_SIZE = "2"
  }
}

variable "backend_file_secrets" {
  type        = map(string)
  description = "Secrets mounted as files into the backend => the setting read from <SETTING>_FILE. Drop optional vendors you do not use (each listed secret needs a version)."
  default = {
    "database-url"             = "DATABASE_URL"
    "redis-url"                = "REDIS_URL"
    "openai-api-key"           = "OPENAI_API_KEY"
    "tavily-api-key"           = "TAVILY_API_KEY"
    "bitquery-api-key"         = "BITQUERY_API_KEY"
    "walletconnect-project-id" = "WALLETCONNECT_PROJECT_ID"
  }
}

# --- frontend scaling knobs -------------------------------------------------------------------
variable "frontend_memory" {
  type        = string
  description = "Frontend memory per instance."
  default     = "512Mi"
}

variable "frontend_cpu" {
  type        = string
  description = "Frontend vCPUs per instance."
  default     = "1"
}

variable "frontend_min_instances" {
  type        = number
  description = "Frontend instances always running (0 scales to zero; nginx starts in well under a second)."
  default     = 0
}

variable "frontend_max_instances" {
  type        = number
  description = "Frontend instance ceiling."
  default     = 10
}

variable "frontend_concurrency" {
  type        = number
  description = "Concurrent requests per frontend instance."
  default     = 100
}

variable "frontend_connect_src_extra" {
  type        = string
  description = "Extra https:// or wss:// origins the web app may connect to (CSP connect-src), space-separated, e.g. a WalletConnect relay."
  default     = ""
}

variable "farcaster_account_association" {
  type = object({
    header    = string
    payload   = string
    signature = string
  })
  description = "accountAssociation of /.well-known/farcaster.json for base.DOMAIN (public; from the Farcaster manifest tool). Empty: omitted."
  default     = { header = "", payload = "", signature = "" }
}

# --- database ---------------------------------------------------------------------------------
variable "db_tier" {
  type        = string
  description = "Cloud SQL machine tier (db-f1-micro/db-g1-small are shared-core, without SLA, 25/50 connections)."
  default     = "db-custom-1-3840"
}

variable "db_max_connections" {
  type        = number
  description = "The database's max_connections (Cloud SQL's default for 3.75 GB is 100; raise with the tier's memory)."
  default     = 100
}

variable "db_disk_size_gb" {
  type        = number
  description = "Initial SSD size in GB (auto-resize grows it)."
  default     = 10
}

variable "db_disk_autoresize_limit_gb" {
  type        = number
  description = "Auto-resize ceiling in GB (0 = none)."
  default     = 100
}

variable "db_availability_type" {
  type        = string
  description = "ZONAL, or REGIONAL for a standby in another zone (about twice the price)."
  default     = "ZONAL"
  validation {
    condition     = contains(["ZONAL", "REGIONAL"], var.db_availability_type)
    error_message = "db_availability_type is ZONAL or REGIONAL."
  }
}

variable "db_backup_start_time" {
  type        = string
  description = "UTC HH:MM when the daily backup starts."
  default     = "03:00"
}

variable "db_backups_retained" {
  type        = number
  description = "Daily backups kept (and days of point-in-time recovery logs, at most 7)."
  default     = 7
}

variable "db_maintenance_day" {
  type        = number
  description = "Maintenance day, 1 = Monday ... 7 = Sunday."
  default     = 7
}

variable "db_maintenance_hour" {
  type        = number
  description = "Maintenance start hour, UTC (the window is one hour)."
  default     = 3
}

variable "db_app_password" {
  type        = string
  description = "Password of the database user eaili5 (TF_VAR_db_app_password). Write-only: never in state. Put the same in the database-url secret."
  sensitive   = true
  ephemeral   = true
}

variable "db_app_password_version" {
  type        = number
  description = "Increase by one together with a new db_app_password to rotate it."
  default     = 1
}

# --- redis ------------------------------------------------------------------------------------
variable "redis_memory_size_gb" {
  type        = number
  description = "Memorystore memory in GB."
  default     = 1
}

variable "redis_tier" {
  type        = string
  description = "BASIC, or STANDARD_HA for a replica with failover."
  default     = "BASIC"
}

# --- network ----------------------------------------------------------------------------------
variable "run_subnet_cidr" {
  type        = string
  description = "Subnet for Cloud Run Direct VPC egress (at least /26; each instance takes addresses)."
  default     = "10.8.0.0/24"
}

# --- secrets ----------------------------------------------------------------------------------
variable "secret_rotation_start" {
  type        = string
  description = "First rotation reminder (RFC 3339, in the future at first apply)."
  default     = "2027-01-04T15:00:00Z"
}

# --- monitoring -------------------------------------------------------------------------------
variable "notification_channels" {
  type        = list(string)
  description = "Notification channel ids for every alert (create e-mail/SMS/PagerDuty channels first)."
  default     = []
}

variable "alert_error_ratio" {
  type        = number
  description = "5xx share of requests that alerts (0.05 = 5%)."
  default     = 0.05
}

variable "alert_error_ratio_seconds" {
  type        = number
  description = "How long the 5xx share must stay above the threshold."
  default     = 300
}

variable "alert_latency_p95_ms" {
  type        = number
  description = "Backend p95 latency that alerts, in ms."
  default     = 500
}

variable "alert_latency_seconds" {
  type        = number
  description = "How long p95 latency must stay above the threshold."
  default     = 300
}

variable "log_retention_days" {
  type        = number
  description = "Days logs are kept in the _Default bucket."
  default     = 30
}
