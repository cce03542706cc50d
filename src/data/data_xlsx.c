#include "data_impl.h"
int data_write_xlsx(struct data_job *j, struct error *err)
{
	(void)j;
	error_set(err, NULL, "尚未实现", "not implemented yet");
	return -1;
}
