"""bpmn package."""
