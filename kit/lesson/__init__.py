"""The lesson engine: teacher-written YAML lesson scripts, validated and run."""
