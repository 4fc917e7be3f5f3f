# The database connection budget: every backend worker keeps its own SQLAlchemy pool, so the peak number of
# connections grows with instances x workers x pool. Cloud SQL refuses connections past max_connections, and
# the first thing to fail under a traffic spike would be sign-ins and trades. This module has no resources:
# its output's precondition makes `terraform plan` fail when the settings could exceed the database's limit.
# (No provider is needed, so tests run it with a plain `terraform plan`.)

variable "backend_max_instances" {
  type        = number
  description = "Cloud Run backend instance ceiling."
}

variable "backend_env" {
  type        = map(string)
  description = "The backend's plain settings; EAILI5_WORKERS and EAILI5_DB_POOL_SIZE are read from it."
}

variable "db_max_connections" {
  type        = number
  description = "The database's max_connections flag."
}

variable "other_connections" {
  type        = number
  description = "Connections kept free for everything but the backend: Cloud SQL's superuser reserve, the migration job, psql during an incident."
  default     = 10
}

locals {
  # The app's defaults when a setting is not in backend_env (backend/src/eaili5/core/settings.py).
  workers   = tonumber(lookup(var.backend_env, "EAILI5_WORKERS", "1"))
  pool_size = tonumber(lookup(var.backend_env, "EAILI5_DB_POOL_SIZE", "10"))
  # core/db.py: max_overflow = pool_size, so a worker can open twice its pool under a burst.
  per_worker = local.pool_size * 2
  peak       = var.backend_max_instances * local.workers * local.per_worker
}

output "peak_backend_connections" {
  description = "Connections all backend workers can hold at once at the instance ceiling."
  value       = local.peak

  precondition {
    condition     = local.peak + var.other_connections <= var.db_max_connections
    error_message = "Database connections could run out: backend_max_instances (${var.backend_max_instances}) x EAILI5_WORKERS (${local.workers}) x 2 x EAILI5_DB_POOL_SIZE (${local.pool_size}) = ${local.peak}, plus ${var.other_connections} kept for others, exceeds db_max_connections (${var.db_max_connections}). Lower the pool or the instance ceiling, or move to a bigger db_tier and raise db_max_connections."
  }
}
