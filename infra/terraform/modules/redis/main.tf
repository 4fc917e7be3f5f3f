# Memorystore for Redis 7.0, Basic tier, on the VPC through private services access, AUTH enabled.
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
  description = "VPC the instance is reachable on."
}

variable "memory_size_gb" {
  type        = number
  description = "Memory in GB."
}

variable "tier" {
  type        = string
  description = "BASIC (one node) or STANDARD_HA (a replica, automatic failover)."
}


resource "google_redis_instance" "main" {
  project                 = var.project_id
  name                    = "eaili5-redis"
  region                  = var.region
  tier                    = var.tier
  memory_size_gb          = var.memory_size_gb
  redis_version           = "REDIS_7_0"
  authorized_network      = var.network_id
  connect_mode            = "PRIVATE_SERVICE_ACCESS"
  auth_enabled            = true
  transit_encryption_mode = "DISABLED"
  display_name            = "EAILI5 cache, rate limits, pub/sub"

  maintenance_policy {
    weekly_maintenance_window {
      day = "SUNDAY"
      start_time {
        hours   = 4
        minutes = 0
      }
    }
  }

}

output "host" {
  description = "Private address of the instance."
  value       = google_redis_instance.main.host
}

output "port" {
  description = "Port of the instance."
  value       = google_redis_instance.main.port
}

output "instance_name" {
  description = "Memorystore instance name (gcloud redis instances get-auth-string NAME)."
  value       = google_redis_instance.main.name
}
