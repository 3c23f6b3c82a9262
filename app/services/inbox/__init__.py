"""The task inbox: the browser's tabs and filters, the API's task list, and the work on a task
(claim, assign, save a draft, complete, with each capability's task checks first)."""
