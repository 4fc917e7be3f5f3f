# Cloud SQL for PostgreSQL 15: private IP only, SSL required, daily backups with point-in-time recovery.
variable "project_id" {
  type        = string
  description = "Google Cloud project id."
}

variable "region" {
  type        = string
  description = "Region of the instance."
}

variable "network_id" {
  type        = string
  description = "VPC with private services access; the instance gets an address on it and none on the internet."
}

variable "tier" {
  type        = string
  description = "Machine tier (db-custom-1-3840: one dedicated vCPU, 3.75 GB; shared-core tiers have no SLA and 25-50 connections)."
}

variable "max_connections" {
  type        = number
  description = "max_connections flag; the connection_budget module checks the backend's pools fit under it."
}

variable "disk_size_gb" {
  type        = number
  description = "Initial SSD size in GB; auto-resize grows it."
}

variable "disk_autoresize_limit_gb" {
  type        = number
  description = "Upper bound for auto-resize in GB (0 = no limit)."
}

variable "availability_type" {
  type        = string
  description = "ZONAL or REGIONAL (a standby in a second zone, twice the price)."
}

variable "backup_start_time" {
  type        = string
  description = "UTC HH:MM when the daily backup starts."
}

variable "backup_retained_count" {
  type        = number
  description = "How many daily backups are kept (one a day: also the number of days)."
}

variable "maintenance_day" {
  type        = number
  description = "Maintenance window day (1 = Monday ... 7 = Sunday)."
}

variable "maintenance_hour" {
  type        = number
  description = "Maintenance window start hour in UTC; the window lasts one hour."
}

variable "app_password" {
  type        = string
  description = "The application user's password. Write-only: sent to Cloud SQL, never stored in state."
  sensitive   = true
  ephemeral   = true
}

variable "app_password_version" {
  type        = number
  description = "Increase by one to send a new app_password (rotation)."
}


resource "google_sql_database_instance" "main" {
  project             = var.project_id
  name                = "eaili5-db"
  region              = var.region
  database_version    = "POSTGRES_15"
  deletion_protection = true

  settings {
    tier                        = var.tier
    edition                     = "ENTERPRISE"
    availability_type           = var.availability_type
    disk_type                   = "PD_SSD"
    disk_size                   = var.disk_size_gb
    disk_autoresize             = true
    disk_autoresize_limit       = var.disk_autoresize_limit_gb
    deletion_protection_enabled = true

    ip_configuration {
      ipv4_enabled                                  = false
      private_network                               = var.network_id
      ssl_mode                                      = "ENCRYPTED_ONLY"
      enable_private_path_for_google_cloud_services = true
    }

    backup_configuration {
      enabled                        = true
      start_time                     = var.backup_start_time
      point_in_time_recovery_enabled = true
      transaction_log_retention_days = var.backup_retained_count
      backup_retention_settings {
        retained_backups = var.backup_retained_count
        retention_unit   = "COUNT"
      }
    }

    maintenance_window {
      day          = var.maintenance_day
      hour         = var.maintenance_hour
      update_track = "stable"
    }

    insights_config {
      query_insights_enabled  = true
      record_application_tags = false
      record_client_address   = false
    }

    # Set explicitly (not the tier's default) so the connection budget checked at plan time is the real one.
    database_flags {
      name  = "max_connections"
      value = tostring(var.max_connections)
    }

    # Useful logs for incidents; statements themselves are not logged (they may carry user text).
    database_flags {
      name  = "log_checkpoints"
      value = "on"
    }
    database_flags {
      name  = "log_connections"
      value = "on"
    }
    database_flags {
      name  = "log_disconnections"
      value = "on"
    }
    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }
    database_flags {
      name  = "log_temp_files"
      value = "0"
    }
    database_flags {
      name  = "log_min_messages"
      value = "error"
    }
    database_flags {
      name  = "log_min_error_statement"
      value = "error"
    }
    database_flags {
      name  = "log_min_duration_statement"
      value = "-1"
    }
    database_flags {
      name  = "log_hostname"
      value = "on"
    }
    database_flags {
      name  = "log_duration"
      value = "on"
    }
    # Schema changes only: other statements may carry what users typed.
    database_flags {
      name  = "log_statement"
      value = "ddl"
    }
    database_flags {
      name  = "cloudsql.enable_pgaudit"
      value = "on"
    }
  }

}

resource "google_sql_database" "app" {
  project  = var.project_id
  instance = google_sql_database_instance.main.name
  name     = "eaili5"
}

resource "google_sql_user" "app" {
  project             = var.project_id
  instance            = google_sql_database_instance.main.name
  name                = "eaili5"
  password_wo         = var.app_password
  password_wo_version = var.app_password_version
}

output "instance_name" {
  description = "Cloud SQL instance name."
  value       = google_sql_database_instance.main.name
}

output "connection_name" {
  description = "PROJECT:REGION:INSTANCE, for gcloud and the Cloud SQL Auth Proxy."
  value       = google_sql_database_instance.main.connection_name
}

output "private_ip" {
  description = "The instance's private address (the host in the database-url secret)."
  value       = google_sql_database_instance.main.private_ip_address
}

output "database_name" {
  description = "The application's database."
  value       = google_sql_database.app.name
}

output "user_name" {
  description = "The application's user."
  value       = google_sql_user.app.name
}
